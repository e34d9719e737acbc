package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dir;

  @Test
  void firstOpenCreatesAnAdminTokenInOwnerOnlyFiles() throws Exception {
    TokenStore s = TokenStore.open(dir);

    String admin = Files.readString(dir.resolve("admin.token"));
    assertThat(admin).matches("[A-Za-z0-9_-]{43}");
    assertThat(s.authenticate(admin)).contains(new Principal("admin", Role.ADMIN));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tokens.json"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin.token"))))
        .isEqualTo("rw-------");
    // Only hashes are stored.
    assertThat(Files.readString(dir.resolve("tokens.json"))).doesNotContain(admin);
  }

  @Test
  void onlyViewersAndAdminsReadEveryTenantsTelemetry() throws Exception {
    TokenStore s = TokenStore.open(dir);
    String admin = Files.readString(dir.resolve("admin.token"));
    String viewer = s.create(Role.VIEWER, "grafana");
    String dev = s.create(Role.DEVELOPER, "alice");

    assertThat(s.readsEverything("Bearer " + admin)).isTrue();
    assertThat(s.readsEverything("bearer " + viewer)).isTrue();
    assertThat(s.readsEverything("Bearer " + dev)).as("a developer sees its own apps only")
        .isFalse();
    assertThat(s.readsEverything(viewer)).as("not a bearer header").isFalse();
    assertThat(s.readsEverything(null)).isFalse();
    s.revoke("grafana");
    assertThat(s.readsEverything("Bearer " + viewer)).isFalse();
  }

  @Test
  void secondOpenReusesTheTokens() throws Exception {
    TokenStore first = TokenStore.open(dir);
    String admin = Files.readString(dir.resolve("admin.token"));
    String dev = first.create(Role.DEVELOPER, "alice");

    TokenStore second = TokenStore.open(dir);

    assertThat(Files.readString(dir.resolve("admin.token"))).isEqualTo(admin);
    assertThat(second.authenticate(admin)).map(Principal::role).contains(Role.ADMIN);
    assertThat(second.authenticate(dev)).contains(new Principal("alice", Role.DEVELOPER));
  }

  @Test
  void loosenedPermissionsAreTightenedOnOpen() throws Exception {
    TokenStore.open(dir);
    Files.setPosixFilePermissions(dir.resolve("tokens.json"), PosixFilePermissions.fromString("rw-r--r--"));
    TokenStore.open(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tokens.json"))))
        .isEqualTo("rw-------");
  }

  @Test
  void unknownEmptyAndOversizedTokensAreRejected() {
    TokenStore s = TokenStore.open(dir);
    assertThat(s.authenticate("nope")).isEmpty();
    assertThat(s.authenticate("")).isEmpty();
    assertThat(s.authenticate(null)).isEmpty();
    assertThat(s.authenticate("x".repeat(10_000))).isEmpty();
  }

  @Test
  void tokensAreDistinctAndNamesValidated() {
    TokenStore s = TokenStore.open(dir);
    assertThat(s.create(Role.VIEWER, "a")).isNotEqualTo(s.create(Role.VIEWER, "b"));
    assertThatThrownBy(() -> s.create(Role.VIEWER, "a")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> s.create(Role.VIEWER, "a/b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> s.create(Role.VIEWER, "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void corruptFileFailsFastNamingIt() throws Exception {
    Files.writeString(dir.resolve("tokens.json"), "{not json");
    assertThatThrownBy(() -> TokenStore.open(dir)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tokens.json");
  }

  @Test
  void aTokenStopsAuthenticatingWhenItExpiresAndAfterARestart() throws Exception {
    Instant t0 = Instant.parse("2026-12-06T00:00:00Z");
    TokenStore s = TokenStore.open(dir, Clock.fixed(t0, ZoneOffset.UTC));
    String dev = s.create(Role.DEVELOPER, "temp", false, Duration.ofHours(1));
    assertThat(s.authenticate(dev)).isPresent();
    assertThat(s.list()).filteredOn(t -> t.name().equals("temp")).singleElement()
        .satisfies(t -> {
          assertThat(t.expires()).isEqualTo("2026-12-06T01:00:00Z");
          assertThat(t.expired()).isFalse();
        });

    TokenStore later = TokenStore.open(dir, Clock.fixed(t0.plus(Duration.ofHours(1)),
        ZoneOffset.UTC));
    assertThat(later.authenticate(dev)).isEmpty();
    assertThat(later.valid("temp")).isFalse();
    assertThat(later.list()).filteredOn(t -> t.name().equals("temp")).singleElement()
        .satisfies(t -> assertThat(t.expired()).isTrue());
    assertThatThrownBy(() -> s.create(Role.VIEWER, "never", false, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
  }

  @Test
  void aRevokedTokenAuthenticatesNobodyButTheLastAdminCannotBeRevoked() throws Exception {
    TokenStore s = TokenStore.open(dir);
    String admin = Files.readString(dir.resolve("admin.token"));
    String dev = s.create(Role.DEVELOPER, "leaver");
    assertThat(s.revoke("leaver")).isTrue();
    assertThat(s.authenticate(dev)).isEmpty();
    assertThat(TokenStore.open(dir).authenticate(dev)).isEmpty();
    assertThat(s.revoke("leaver")).isFalse();

    assertThatThrownBy(() -> s.revoke("admin")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("last admin token");
    s.create(Role.ADMIN, "second-admin");
    assertThat(s.revoke("admin")).isTrue();
    assertThat(s.authenticate(admin)).isEmpty();
    // Listing never shows secrets or their hashes.
    assertThat(s.list().toString()).doesNotContain(admin).doesNotContain("sha256");
  }
}
