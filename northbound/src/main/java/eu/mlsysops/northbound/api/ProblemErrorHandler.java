package eu.mlsysops.northbound.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers before a request reaches Javalin (a malformed or ambiguous URI such as
 * {@code /apps/%00}, a bad header, a request line too long) in the API's own format, {@code
 * application/problem+json}, instead of Jetty's HTML page: clients parse one error format.
 */
final class ProblemErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(Request request, Response response, int code, String message,
      Throwable cause, Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.PROBLEM);
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Json.PROBLEM));
    return ByteBuffer.wrap(body(status, reason));
  }

  private static byte[] body(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", ApiProblem.title(status));
    body.put("status", status);
    body.put("detail", message == null || message.isBlank() ? ApiProblem.title(status)
        : "the request was refused before routing: " + message);
    return Json.write(body).getBytes(StandardCharsets.UTF_8);
  }
}
