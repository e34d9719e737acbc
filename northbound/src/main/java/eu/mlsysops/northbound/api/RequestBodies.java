package eu.mlsysops.northbound.api;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** Reading request bodies safely: a size cap, strict UTF-8, and content-type checks. */
final class RequestBodies {
  /** The largest body accepted: 1 MiB. */
  static final int MAX_BYTES = 1 << 20;
  /**
   * How much of a too-large body is read and discarded before answering 413, so that a client that
   * sends it all before reading the answer gets the 413 rather than a reset connection. Beyond
   * this the connection is closed.
   */
  static final int DRAIN_BYTES = 8 << 20;

  static final Set<String> JSON = Set.of("application/json");
  static final Set<String> YAML_OR_JSON =
      Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml",
          "text/x-yaml");
  static final Set<String> POLICY_SOURCE =
      Set.of("text/plain", "text/x-groovy", "application/x-groovy", "application/octet-stream");

  private RequestBodies() {}

  /**
   * The request's media type without parameters, lower case, or empty when none was sent.
   */
  static String mediaType(Context ctx) {
    String ct = ctx.header("Content-Type");
    if (ct == null || ct.isBlank()) {
      return "";
    }
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Requires one of the given media types (a missing Content-Type is accepted: curl and the
   * reference's clients often omit it); 415 otherwise.
   */
  static String requireMediaType(Context ctx, Set<String> allowed) {
    String mt = mediaType(ctx);
    if (!mt.isEmpty() && !allowed.contains(mt)) {
      throw new ApiProblem(415, "Content-Type " + mt + " is not accepted here; use one of "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
    return mt;
  }

  /** Reads the body as UTF-8 text, at most {@link #MAX_BYTES}; 413 beyond, 400 if not UTF-8. */
  static String text(Context ctx) {
    String cl = ctx.header("Content-Length");
    if (cl != null) {
      long declared;
      try {
        declared = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        throw ApiProblem.badRequest("Content-Length \"" + cl + "\" is not a number");
      }
      if (declared > MAX_BYTES) {
        if (declared <= DRAIN_BYTES) {
          drain(ctx);
        }
        throw tooLarge();
      }
    }
    byte[] bytes;
    try (InputStream in = ctx.bodyInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16384];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > MAX_BYTES) {
          // A chunked body without Content-Length: keep nothing more of it.
          drain(ctx);
          throw tooLarge();
        }
        out.write(buf, 0, n);
      }
      bytes = out.toByteArray();
    } catch (IOException e) {
      throw ApiProblem.badRequest("the request body could not be read: " + e.getMessage());
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw ApiProblem.badRequest("the body is not UTF-8 text");
    }
  }

  /** Reads and discards the rest of the body, up to {@link #DRAIN_BYTES}. */
  private static void drain(Context ctx) {
    String expect = ctx.header("Expect");
    if (expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue")) {
      return; // the client waits for our answer before sending: nothing to drain
    }
    try {
      InputStream in = ctx.bodyInputStream();
      byte[] buf = new byte[65536];
      long total = 0;
      int n;
      while (total < DRAIN_BYTES && (n = in.read(buf)) > 0) {
        total += n;
      }
    } catch (IOException e) {
      // The client stopped sending: fine, the answer is the same.
    }
  }

  private static ApiProblem tooLarge() {
    return new ApiProblem(413, "the body is larger than 1 MiB (" + MAX_BYTES + " bytes)");
  }
}
