package eu.mlsysops.agent.tier;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of what a component's instances are started from (containers, runtime class, restart
 * policy, host network, runtime configuration), like Kubernetes' pod-template-hash: a slot records
 * the digest its instance was started with, and a slot whose digest differs from its component's
 * is outdated and gets replaced. Placement-only fields (instances, labels, layer) are left out:
 * changing them moves or adds instances rather than replacing them in place.
 */
final class SpecHash {
  private SpecHash() {}

  static String of(Component c) {
    Component runs = new Component(c.metadata(), null, List.of(), c.runtimeConfiguration(),
        List.of(), List.of(), null, null, null, null, null, c.hostNetwork(), c.runtimeClassName(),
        c.restartPolicy(), null, null, null, c.containers());
    String json = Descriptors.toJson(new AppDescriptor("spec", null, List.of(), List.of(runs),
        List.of(), List.of(), null));
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
