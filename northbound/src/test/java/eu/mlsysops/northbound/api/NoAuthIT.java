package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mls up --no-auth}: every caller may do everything. */
class NoAuthIT {
  @TempDir Path dir;

  @Test
  void withoutAuthenticationNoTokenIsNeeded() {
    try (ApiFixture api = ApiFixture.startWithoutAuth(dir)) {
      assertThat(api.postYaml("/api/v1/apps", null, ApiFixture.demoApp("open")).statusCode())
          .isEqualTo(201);
      assertThat(ApiFixture.json(api.get("/api/v1/apps/open", null)).get("owner").asText())
          .isEqualTo("anonymous");
      assertThat(api.put("/api/v1/mode/ml", null, null, null).statusCode()).isEqualTo(200);
      assertThat(api.postJson("/api/v1/tokens", null, "{\"role\":\"viewer\",\"name\":\"v\"}")
          .statusCode()).isEqualTo(409);
    }
  }
}
