package eu.mlsysops.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One answer of the API.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type} header, or empty
 * @param body the body as text, empty when there is none
 */
record ApiResponse(int status, String contentType, String body) {
  private static final ObjectMapper JSON = new ObjectMapper();

  boolean ok() {
    return status >= 200 && status < 300;
  }

  /** The body as JSON; {@link MissingNode} when empty or not JSON. */
  JsonNode json() {
    if (body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }
}
