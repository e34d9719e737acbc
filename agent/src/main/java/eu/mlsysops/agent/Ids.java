package eu.mlsysops.agent;

import java.util.Map;

/** Checks shared by the typed ids and commands: errors name the field. Internal. */
final class Ids {
  private Ids() {}

  static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": missing");
    }
    return value;
  }

  static String arg(Command c, String field) {
    return required(field, c.args().get(field));
  }

  static int intArg(Command c, String field) {
    String v = arg(c, field);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + ": \"" + v + "\" is not a number");
    }
  }

  static ComponentId component(Command c) {
    return new ComponentId(arg(c, "app"), arg(c, "component"));
  }

  /** The slot named by the command, or -1 when it names none. */
  static int optionalSlot(Map<String, String> args, Command c) {
    return args.containsKey("slot") ? intArg(c, "slot") : -1;
  }
}
