package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Sends a descriptor to a reference-compatible route as {@code {"yaml": "<text>"}}. */
final class Registration {
  private Registration() {}

  /** POSTs the document's text as the {@code yaml} field (a JSON text is valid YAML too). */
  static JsonNode send(ApiClient api, String route, DescriptorSource.Document doc) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("yaml", doc.text());
    return api.post(route, Printer.json(body), "application/json").json();
  }
}
