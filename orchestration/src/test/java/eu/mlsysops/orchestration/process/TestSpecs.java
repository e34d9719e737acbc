package eu.mlsysops.orchestration.process;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.orchestration.InstanceSpec;
import java.util.Map;

/** Instance specs from descriptor YAML, as users write it. */
final class TestSpecs {
  private TestSpecs() {}

  /** One component, named {@code c}, of app {@code app}, from the YAML of its body. */
  static Component component(String componentYaml) {
    String indented = "    " + componentYaml.strip().replace("\n", "\n    ");
    String text = "MLSysOpsApp:\n  name: app\n  components:\n  - metadata: {name: c}\n"
        + indented + "\n";
    ParseResult r = Descriptors.parse(text, "test.yaml", ParseOptions.DEFAULT);
    if (r.hasErrors()) {
      throw new IllegalArgumentException(r.errors() + "\n" + text);
    }
    return r.ofType(AppDescriptor.class).get(0).components().get(0);
  }

  static InstanceSpec spec(String id, String componentYaml) {
    return new InstanceSpec("app", id, component(componentYaml), Map.of("NODE_NAME", "n1"));
  }
}
