package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who instances of the process runtime run as: an unprivileged user, so that a workload can read
 * neither the agent's data directory (tokens, keys, state) nor anything else only the agent may.
 * Dropping privileges needs the agent to run as root and {@code setpriv} (util-linux); {@link
 * #detect} says whether this host can, and why not.
 *
 * @param name the user's name
 * @param uid its user id
 * @param gid its primary group id
 */
public record WorkloadUser(String name, int uid, int gid) {
  /** The user instances run as unless configured: present on every Debian and most Linux hosts. */
  public static final String DEFAULT = "nobody";
  static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  public WorkloadUser {
    Objects.requireNonNull(name, "name");
  }

  /**
   * Whether this process can start instances as {@code name}, and as whom.
   *
   * @return the user, or why not (running as a non-root user, no {@code setpriv}, no such user)
   */
  public static Detection detect(String name) {
    return detect(name, Path.of("/etc/passwd"), SETPRIV, currentUid());
  }

  static Detection detect(String name, Path passwd, Path setpriv, long uid) {
    if (uid != 0) {
      return new Detection(Optional.empty(), "the agent does not run as root (uid " + uid
          + "), so instances run as the agent's own user and can read its data directory");
    }
    if (!Files.isExecutable(setpriv)) {
      return new Detection(Optional.empty(), setpriv + " is missing (Debian: util-linux), so"
          + " instances would run as root");
    }
    try {
      for (String line : Files.readAllLines(passwd)) {
        String[] f = line.split(":");
        if (f.length >= 4 && f[0].equals(name)) {
          int userId = Integer.parseInt(f[2]);
          int groupId = Integer.parseInt(f[3]);
          if (userId == 0 || groupId == 0) {
            return new Detection(Optional.empty(), "\"" + name + "\" has uid " + userId
                + " and gid " + groupId + ": instances must not run as root");
          }
          return new Detection(Optional.of(new WorkloadUser(name, userId, groupId)),
              "instances run as " + name);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return new Detection(Optional.empty(), "cannot read " + passwd + ": " + e.getMessage());
    }
    return new Detection(Optional.empty(), "no user \"" + name + "\" in " + passwd);
  }

  /**
   * The first id of the range apps' users are taken from: far above the ids distributions hand out
   * (login users from 1000, systemd's dynamic users 61184–65519, subordinate ids of containers
   * from 100000 in blocks of 65536), so no app shares an id with a user of the host.
   */
  public static final int APP_IDS_FROM = 0x7000_0000;
  /** How many ids the range holds. */
  static final int APP_IDS = 1 << 24;

  /**
   * The user instances of {@code app} run as: an id of its own, derived from the app's name (the
   * same on every node and after restarts, with no table to keep), so instances of one app cannot
   * read another app's processes (their environment holds each instance's telemetry token) or its
   * files. The id needs no account: {@code setpriv} takes numbers. Two app names share an id with
   * a probability of about n²/2²⁵ for n apps on a host (3 in 10,000 for 100 apps).
   */
  public WorkloadUser forApp(String app) {
    Objects.requireNonNull(app, "app");
    byte[] h;
    try {
      h = java.security.MessageDigest.getInstance("SHA-256")
          .digest(app.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    int id = APP_IDS_FROM + (((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff));
    return new WorkloadUser("app " + app, id, id);
  }

  /** Which app took each app id in this process (every node agent of {@code mls up}). */
  private static final java.util.concurrent.ConcurrentHashMap<Integer, String> CLAIMED =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Takes {@code app}'s id for it in this process: the app already holding that id when another
   * app's name hashes to it (found by chance, or on purpose: 2²⁴ names are tried in a second),
   * else null. Ids stay taken until the process ends, so one never passes to a new app while the
   * old one's files or processes may remain.
   */
  String claim(String app) {
    String holder = CLAIMED.putIfAbsent(forApp(app).uid(), app);
    return holder == null || holder.equals(app) ? null : holder;
  }

  /** The command line that runs {@code argv} as this user, without any way back to root. */
  List<String> wrap(List<String> argv) {
    List<String> out = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=" + uid,
        "--regid=" + gid, "--clear-groups", "--no-new-privs", "--"));
    out.addAll(argv);
    return out;
  }

  private static long currentUid() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return ((Number) uid).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  /**
   * What {@link #detect} found.
   *
   * @param user the user instances will run as, when privileges can be dropped
   * @param detail a sentence saying who instances run as, or why not as an unprivileged user
   */
  public record Detection(Optional<WorkloadUser> user, String detail) {
    /** Whether instances run as an unprivileged user. */
    public boolean dropsPrivileges() {
      return user.isPresent();
    }
  }
}
