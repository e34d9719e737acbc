package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
}
