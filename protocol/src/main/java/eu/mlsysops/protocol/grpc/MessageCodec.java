package eu.mlsysops.protocol.grpc;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.grpc.proto.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Translates between {@link Message} values and the {@code mlsysops.v1.Envelope} frames of the gRPC
 * link ({@code src/main/proto/mlsysops/tier.proto}). {@code decode(encode(m))} equals {@code m} for
 * every message.
 *
 * <p>Descriptors travel as the JSON written by {@link Descriptors#toJson} and are parsed and
 * validated again on decode. A {@link Component} is not a descriptor of its own, so an instance
 * assignment carries it inside a one-component {@code MLSysOpsApp} document with its {@code
 * depends_on} moved to a separate field (the components it names are not in that document).
 */
public final class MessageCodec {
  /** Name of the app document that wraps a lone component; only its one component is read. */
  private static final String COMPONENT_WRAPPER = "component";

  private MessageCodec() {}

  /**
   * Encodes a message as an envelope.
   *
   * @param message any message
   * @return the envelope, with {@code from} set unless the message's is null
   */
  public static Envelope encode(Message message) {
    Objects.requireNonNull(message, "message");
    Envelope.Builder e = Envelope.newBuilder();
    if (message.from() != null) {
      e.setFrom(message.from());
    }
    if (message instanceof Message.Register r) {
      var b = eu.mlsysops.protocol.grpc.proto.Register.newBuilder().setTier(tier(r.tier()));
      if (r.node() != null) {
        b.setNodeJson(Descriptors.toJson(r.node()));
      }
      if (r.cluster() != null) {
        b.setClusterJson(Descriptors.toJson(r.cluster()));
      }
      r.running().forEach(ir -> b.addRunning(report(ir)));
      e.setRegister(b);
    } else if (message instanceof Message.Inventory i) {
      var b = eu.mlsysops.protocol.grpc.proto.Inventory.newBuilder();
      i.nodes().forEach(n -> b.addNodesJson(Descriptors.toJson(n)));
      b.addAllUnhealthy(i.unhealthy());
      e.setInventory(b);
    } else if (message instanceof Message.Registered r) {
      e.setRegistered(eu.mlsysops.protocol.grpc.proto.Registered.newBuilder().setEpoch(r.epoch()));
    } else if (message instanceof Message.Heartbeat h) {
      e.setHeartbeat(
          eu.mlsysops.protocol.grpc.proto.Heartbeat.newBuilder()
              .setSentAtMillis(h.sentAtMillis()));
    } else if (message instanceof Message.DesiredState d) {
      var b = eu.mlsysops.protocol.grpc.proto.DesiredState.newBuilder().setEpoch(d.epoch());
      d.instances().forEach(a -> b.addInstances(assignment(a)));
      d.apps().forEach(app -> b.addAppsJson(Descriptors.toJson(app)));
      e.setDesiredState(b);
    } else if (message instanceof Message.StatusReport s) {
      var b = eu.mlsysops.protocol.grpc.proto.StatusReport.newBuilder().setFull(s.full());
      s.instances().forEach(ir -> b.addInstances(report(ir)));
      e.setStatusReport(b);
    } else if (message instanceof Message.TelemetryBatch t) {
      e.setTelemetryBatch(
          eu.mlsysops.protocol.grpc.proto.TelemetryBatch.newBuilder().setMetrics(t.metrics()));
    } else if (message instanceof Message.TelemetryDemand t) {
      e.setTelemetryDemand(
          eu.mlsysops.protocol.grpc.proto.TelemetryDemand.newBuilder()
              .setIntervalMillis(t.intervalMillis()));
    } else if (message instanceof Message.PlanForward p) {
      var b = eu.mlsysops.protocol.grpc.proto.PlanForward.newBuilder().putAllArgs(p.args());
      if (p.planId() != null) {
        b.setPlanId(p.planId());
      }
      if (p.policy() != null) {
        b.setPolicy(p.policy());
      }
      if (p.mechanism() != null) {
        b.setMechanism(p.mechanism());
      }
      if (p.explanation() != null) {
        b.setExplanation(p.explanation());
      }
      if (p.action() != null) {
        b.setAction(p.action());
      }
      e.setPlanForward(b);
    } else if (message instanceof Message.PlanResult p) {
      var b = eu.mlsysops.protocol.grpc.proto.PlanResult.newBuilder().setSuccess(p.success());
      if (p.planId() != null) {
        b.setPlanId(p.planId());
      }
      if (p.reason() != null) {
        b.setReason(p.reason());
      }
      e.setPlanResult(b);
    } else if (message instanceof Message.Control c) {
      var b = eu.mlsysops.protocol.grpc.proto.Control.newBuilder()
          .setDigest(c.digest()).setMode(c.mode());
      for (Message.TierControl t : c.tiers()) {
        var tb = eu.mlsysops.protocol.grpc.proto.TierControl.newBuilder()
            .setTier(tier(t.tier()))
            .addAllDisabledPolicies(t.disabledPolicies())
            .addAllTelemetryExport(t.telemetryExport());
        t.files().forEach(f -> tb.addFiles(eu.mlsysops.protocol.grpc.proto.PolicyFile.newBuilder()
            .setName(f.name()).setSha256(f.sha256()).setContent(f.content())));
        b.addTiers(tb);
      }
      e.setControl(b);
    } else if (message instanceof Message.ModelSet s) {
      var b = eu.mlsysops.protocol.grpc.proto.ModelSet.newBuilder().setDigest(s.digest());
      s.models().forEach(m -> b.addModels(eu.mlsysops.protocol.grpc.proto.ServedModel.newBuilder()
          .setModelId(m.modelId()).setVersion(m.version()).setSha256(m.sha256())
          .setSize(m.size()).setSpecJson(m.descriptor())));
      e.setModelSet(b);
    } else if (message instanceof Message.ModelWant w) {
      e.setModelWant(eu.mlsysops.protocol.grpc.proto.ModelWant.newBuilder()
          .addAllSha256(w.sha256s()));
    } else if (message instanceof Message.ModelChunk c) {
      e.setModelChunk(eu.mlsysops.protocol.grpc.proto.ModelChunk.newBuilder()
          .setSha256(c.sha256()).setOffset(c.offset()).setTotal(c.total()).setData(c.data()));
    } else if (message instanceof Message.ControlReport r) {
      e.setControlReport(eu.mlsysops.protocol.grpc.proto.ControlReport.newBuilder()
          .setAgent(r.agent()).setTier(tier(r.tier())).setDigest(r.digest())
          .putAllErrors(r.errors()));
    } else if (message instanceof Message.Records r) {
      var b = eu.mlsysops.protocol.grpc.proto.Records.newBuilder()
          .setOrigin(r.origin()).setIncarnation(r.incarnation()).setSeq(r.seq())
          .setDropped(r.dropped());
      r.plans().forEach(p -> b.addPlans(transition(p)));
      r.events().forEach(ev -> b.addEvents(eu.mlsysops.protocol.grpc.proto.Event.newBuilder()
          .setTimeMillis(ev.timeMillis()).setAgent(ev.agent()).setKind(ev.kind())
          .setMessage(ev.message())));
      e.setRecords(b);
    } else if (message instanceof Message.SeriesQuery q) {
      e.setSeriesQuery(seriesQuery(q));
    } else if (message instanceof Message.SeriesAnswer a) {
      e.setSeriesAnswer(seriesAnswer(a));
    } else if (message instanceof Message.AgentStatus a) {
      var b = eu.mlsysops.protocol.grpc.proto.AgentStatus.newBuilder()
          .setAgent(a.agent()).setTier(tier(a.tier()));
      for (Message.PolicyState p : a.policies()) {
        var pb = eu.mlsysops.protocol.grpc.proto.PolicyState.newBuilder().setName(p.name())
            .setCore(p.core()).setInstances(p.instances()).setAnalyses(p.analyses())
            .setPlans(p.plans()).setErrors(p.errors()).setEnabled(p.enabled())
            .setPausedByMode(p.pausedByMode());
        if (p.source() != null) {
          pb.setSource(p.source());
        }
        if (p.scope() != null) {
          pb.setScope(p.scope());
        }
        if (p.lastError() != null) {
          pb.setLastError(p.lastError());
        }
        b.addPolicies(pb);
      }
      for (Message.MechanismState m : a.mechanisms()) {
        var mb = eu.mlsysops.protocol.grpc.proto.MechanismState.newBuilder().setName(m.name());
        if (m.optionsJson() != null) {
          mb.setOptionsJson(m.optionsJson());
        }
        if (m.stateJson() != null) {
          mb.setStateJson(m.stateJson());
        }
        b.addMechanisms(mb);
      }
      e.setAgentStatus(b);
    } else {
      // Unreachable while Message is sealed and every permitted record is handled above.
      throw new IllegalArgumentException("unknown message type " + message.getClass());
    }
    return e.build();
  }

  /**
   * Decodes an envelope that holds a message.
   *
   * @param envelope an envelope from the wire
   * @return the message
   * @throws IllegalArgumentException when the envelope holds no message (empty, or the link's own
   *     {@code Accepted} or {@code Ping}), or a descriptor in it does not parse; the text names the
   *     field
   */
  public static Message decode(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    String from = envelope.hasFrom() ? envelope.getFrom() : null;
    switch (envelope.getBodyCase()) {
      case REGISTER -> {
        var r = envelope.getRegister();
        return new Message.Register(
            from,
            tier(r.getTier()),
            r.hasNodeJson()
                ? descriptor(r.getNodeJson(), NodeDescriptor.class, "register.node_json")
                : null,
            r.hasClusterJson()
                ? descriptor(r.getClusterJson(), ClusterDescriptor.class, "register.cluster_json")
                : null,
            r.getRunningList().stream().map(MessageCodec::report).toList());
      }
      case INVENTORY -> {
        var i = envelope.getInventory();
        List<NodeDescriptor> nodes = new ArrayList<>();
        for (int k = 0; k < i.getNodesJsonCount(); k++) {
          nodes.add(
              descriptor(
                  i.getNodesJson(k), NodeDescriptor.class, "inventory.nodes_json[" + k + "]"));
        }
        return new Message.Inventory(from, nodes, i.getUnhealthyList());
      }
      case REGISTERED -> {
        return new Message.Registered(from, envelope.getRegistered().getEpoch());
      }
      case HEARTBEAT -> {
        return new Message.Heartbeat(from, envelope.getHeartbeat().getSentAtMillis());
      }
      case DESIRED_STATE -> {
        var d = envelope.getDesiredState();
        List<Message.InstanceAssignment> instances = new ArrayList<>();
        for (int k = 0; k < d.getInstancesCount(); k++) {
          instances.add(assignment(d.getInstances(k), "desired_state.instances[" + k + "]"));
        }
        List<AppDescriptor> apps = new ArrayList<>();
        for (int k = 0; k < d.getAppsJsonCount(); k++) {
          apps.add(
              descriptor(
                  d.getAppsJson(k), AppDescriptor.class, "desired_state.apps_json[" + k + "]"));
        }
        return new Message.DesiredState(from, d.getEpoch(), instances, apps);
      }
      case STATUS_REPORT -> {
        var s = envelope.getStatusReport();
        return new Message.StatusReport(
            from, s.getInstancesList().stream().map(MessageCodec::report).toList(), s.getFull());
      }
      case TELEMETRY_BATCH -> {
        return new Message.TelemetryBatch(from, envelope.getTelemetryBatch().getMetrics());
      }
      case TELEMETRY_DEMAND -> {
        return new Message.TelemetryDemand(
            from, envelope.getTelemetryDemand().getIntervalMillis());
      }
      case PLAN_FORWARD -> {
        var p = envelope.getPlanForward();
        return new Message.PlanForward(
            from,
            p.hasPlanId() ? p.getPlanId() : null,
            p.hasPolicy() ? p.getPolicy() : null,
            p.hasMechanism() ? p.getMechanism() : null,
            p.hasAction() ? p.getAction() : null,
            p.getArgsMap(),
            p.hasExplanation() ? p.getExplanation() : null);
      }
      case PLAN_RESULT -> {
        var p = envelope.getPlanResult();
        return new Message.PlanResult(
            from,
            p.hasPlanId() ? p.getPlanId() : null,
            p.getSuccess(),
            p.hasReason() ? p.getReason() : null);
      }
      case CONTROL -> {
        var c = envelope.getControl();
        List<Message.TierControl> tiers = new ArrayList<>();
        for (int k = 0; k < c.getTiersCount(); k++) {
          var t = c.getTiers(k);
          tiers.add(new Message.TierControl(
              tier(t.getTier(), "control.tiers[" + k + "].tier"),
              t.getDisabledPoliciesList(),
              t.getTelemetryExportList(),
              t.getFilesList().stream()
                  .map(f -> new Message.PolicyFile(f.getName(), f.getSha256(), f.getContent()))
                  .toList()));
        }
        return new Message.Control(from, c.getDigest(), c.getMode(), tiers);
      }
      case MODEL_SET -> {
        var s = envelope.getModelSet();
        return new Message.ModelSet(from, s.getDigest(), s.getModelsList().stream()
            .map(m -> new Message.ServedModel(m.getModelId(), m.getVersion(), m.getSha256(),
                m.getSize(), m.getSpecJson()))
            .toList());
      }
      case MODEL_WANT -> {
        return new Message.ModelWant(from, envelope.getModelWant().getSha256List());
      }
      case MODEL_CHUNK -> {
        var c = envelope.getModelChunk();
        return new Message.ModelChunk(from, c.getSha256(), c.getOffset(), c.getTotal(),
            c.getData());
      }
      case CONTROL_REPORT -> {
        var r = envelope.getControlReport();
        return new Message.ControlReport(from, r.getAgent(),
            tier(r.getTier(), "control_report.tier"), r.getDigest(), r.getErrorsMap());
      }
      case RECORDS -> {
        var r = envelope.getRecords();
        return new Message.Records(from, r.getOrigin(), r.getIncarnation(), r.getSeq(),
            r.getPlansList().stream().map(MessageCodec::transition).toList(),
            r.getEventsList().stream()
                .map(ev -> new Message.Event(ev.getTimeMillis(), ev.getAgent(), ev.getKind(),
                    ev.getMessage()))
                .toList(),
            r.getDropped());
      }
      case AGENT_STATUS -> {
        var a = envelope.getAgentStatus();
        return new Message.AgentStatus(from, a.getAgent(), tier(a.getTier(), "agent_status.tier"),
            a.getPoliciesList().stream().map(p -> new Message.PolicyState(p.getName(),
                p.hasSource() ? p.getSource() : null, p.hasScope() ? p.getScope() : null,
                p.getCore(), p.getInstances(), p.getAnalyses(), p.getPlans(), p.getErrors(),
                p.hasLastError() ? p.getLastError() : null, p.getEnabled(), p.getPausedByMode()))
                .toList(),
            a.getMechanismsList().stream().map(m -> new Message.MechanismState(m.getName(),
                m.hasOptionsJson() ? m.getOptionsJson() : null,
                m.hasStateJson() ? m.getStateJson() : null)).toList());
      }
      case SERIES_QUERY -> {
        return seriesQuery(from, envelope.getSeriesQuery());
      }
      case SERIES_ANSWER -> {
        return seriesAnswer(from, envelope.getSeriesAnswer());
      }
      case ACCEPTED, PING ->
          throw new IllegalArgumentException(
              envelope.getBodyCase() + " is link control, not a message");
      case BODY_NOT_SET -> throw new IllegalArgumentException("envelope holds no message");
      default -> throw new IllegalArgumentException("unknown envelope body " + envelope.getBodyCase());
    }
  }

  private static eu.mlsysops.protocol.grpc.proto.SeriesQuery seriesQuery(Message.SeriesQuery q) {
    var b = eu.mlsysops.protocol.grpc.proto.SeriesQuery.newBuilder()
        .setQueryId(q.queryId()).setTier(tier(q.tier())).setFromMillis(q.fromMillis())
        .setToMillis(q.toMillis()).setNewestOnly(q.newestOnly())
        .setTimeoutMillis(q.timeoutMillis());
    if (q.metric() != null) {
      b.setMetric(q.metric());
    }
    for (Message.SeriesMatcher m : q.matchers()) {
      b.addMatchers(eu.mlsysops.protocol.grpc.proto.SeriesMatcher.newBuilder()
          .setName(m.name()).setValue(m.value())
          .setOp(eu.mlsysops.protocol.grpc.proto.SeriesMatcher.Op.forNumber(m.op().ordinal())));
    }
    return b.build();
  }

  private static Message.SeriesQuery seriesQuery(
      String from, eu.mlsysops.protocol.grpc.proto.SeriesQuery q) {
    List<Message.SeriesMatcher> matchers = new ArrayList<>();
    for (int k = 0; k < q.getMatchersCount(); k++) {
      var m = q.getMatchers(k);
      int op = m.getOpValue();
      if (op < 0 || op >= Message.MatchOp.values().length) {
        throw new IllegalArgumentException("series_query.matchers[" + k + "].op: unknown " + op);
      }
      matchers.add(new Message.SeriesMatcher(m.getName(), Message.MatchOp.values()[op],
          m.getValue()));
    }
    return new Message.SeriesQuery(from, q.getQueryId(), tier(q.getTier(), "series_query.tier"),
        q.hasMetric() ? q.getMetric() : null, matchers, q.getFromMillis(), q.getToMillis(),
        q.getNewestOnly(), q.getTimeoutMillis());
  }

  private static eu.mlsysops.protocol.grpc.proto.SeriesAnswer seriesAnswer(
      Message.SeriesAnswer a) {
    var b = eu.mlsysops.protocol.grpc.proto.SeriesAnswer.newBuilder()
        .setQueryId(a.queryId()).addAllNames(a.names()).addAllWarnings(a.warnings());
    if (a.error() != null) {
      b.setError(a.error());
    }
    for (Message.SeriesData d : a.series()) {
      var sb = eu.mlsysops.protocol.grpc.proto.SeriesData.newBuilder()
          .setMetric(d.metric()).putAllLabels(d.labels());
      for (int i = 0; i < d.timestamps().length; i++) {
        sb.addTimestamps(d.timestamps()[i]);
        sb.addValues(d.values()[i]);
      }
      b.addSeries(sb);
    }
    return b.build();
  }

  private static Message.SeriesAnswer seriesAnswer(
      String from, eu.mlsysops.protocol.grpc.proto.SeriesAnswer a) {
    List<Message.SeriesData> series = new ArrayList<>(a.getSeriesCount());
    for (int k = 0; k < a.getSeriesCount(); k++) {
      var d = a.getSeries(k);
      int n = d.getTimestampsCount();
      if (d.getValuesCount() != n) {
        throw new IllegalArgumentException("series_answer.series[" + k + "]: " + n
            + " timestamps but " + d.getValuesCount() + " values");
      }
      long[] ts = new long[n];
      double[] vs = new double[n];
      for (int i = 0; i < n; i++) {
        ts[i] = d.getTimestamps(i);
        vs[i] = d.getValues(i);
      }
      series.add(new Message.SeriesData(d.getMetric(), d.getLabelsMap(), ts, vs));
    }
    return new Message.SeriesAnswer(from, a.getQueryId(), series, a.getNamesList(),
        a.getWarningsList(), a.hasError() ? a.getError() : null);
  }

  private static Tier tier(Message.Tier tier) {
    return switch (tier) {
      case NODE -> Tier.TIER_NODE;
      case CLUSTER -> Tier.TIER_CLUSTER;
      case CONTINUUM -> Tier.TIER_CONTINUUM;
    };
  }

  private static Message.Tier tier(Tier tier) {
    return tier(tier, "register.tier");
  }

  private static Message.Tier tier(Tier tier, String field) {
    return switch (tier) {
      case TIER_NODE -> Message.Tier.NODE;
      case TIER_CLUSTER -> Message.Tier.CLUSTER;
      case TIER_CONTINUUM -> Message.Tier.CONTINUUM;
      default -> throw new IllegalArgumentException(field + ": unknown tier " + tier);
    };
  }

  private static eu.mlsysops.protocol.grpc.proto.PlanTransition transition(
      Message.PlanTransition p) {
    var b = eu.mlsysops.protocol.grpc.proto.PlanTransition.newBuilder()
        .setId(p.id()).setAgent(p.agent()).setCore(p.core()).putAllInputs(p.inputs())
        .setStatus(p.status()).setCreatedMillis(p.createdMillis())
        .setUpdatedMillis(p.updatedMillis()).setAttempts(p.attempts());
    if (p.policy() != null) {
      b.setPolicy(p.policy());
    }
    if (p.app() != null) {
      b.setApp(p.app());
    }
    if (p.explanation() != null) {
      b.setExplanation(p.explanation());
    }
    if (p.reason() != null) {
      b.setReason(p.reason());
    }
    p.commands().forEach(c -> b.addCommands(eu.mlsysops.protocol.grpc.proto.PlanCommand
        .newBuilder().setMechanism(c.mechanism()).setAction(c.action()).putAllArgs(c.args())));
    return b.build();
  }

  private static Message.PlanTransition transition(
      eu.mlsysops.protocol.grpc.proto.PlanTransition p) {
    return new Message.PlanTransition(p.getId(), p.getAgent(),
        p.hasPolicy() ? p.getPolicy() : null, p.hasApp() ? p.getApp() : null, p.getCore(),
        p.getCommandsList().stream()
            .map(c -> new Message.PlanCommand(c.getMechanism(), c.getAction(), c.getArgsMap()))
            .toList(),
        p.hasExplanation() ? p.getExplanation() : null, p.getInputsMap(), p.getStatus(),
        p.hasReason() ? p.getReason() : null, p.getCreatedMillis(), p.getUpdatedMillis(),
        p.getAttempts());
  }

  private static eu.mlsysops.protocol.grpc.proto.InstanceReport report(Message.InstanceReport r) {
    var b = eu.mlsysops.protocol.grpc.proto.InstanceReport.newBuilder().setSinceMillis(r.sinceMillis());
    if (r.instanceId() != null) {
      b.setInstanceId(r.instanceId());
    }
    if (r.app() != null) {
      b.setApp(r.app());
    }
    if (r.component() != null) {
      b.setComponent(r.component());
    }
    if (r.node() != null) {
      b.setNode(r.node());
    }
    if (r.state() != null) {
      b.setState(r.state());
    }
    if (r.reason() != null) {
      b.setReason(r.reason());
    }
    return b.build();
  }

  private static Message.InstanceReport report(eu.mlsysops.protocol.grpc.proto.InstanceReport r) {
    return new Message.InstanceReport(
        r.hasInstanceId() ? r.getInstanceId() : null,
        r.hasApp() ? r.getApp() : null,
        r.hasComponent() ? r.getComponent() : null,
        r.hasNode() ? r.getNode() : null,
        r.hasState() ? r.getState() : null,
        r.hasReason() ? r.getReason() : null,
        r.getSinceMillis());
  }

  private static eu.mlsysops.protocol.grpc.proto.InstanceAssignment assignment(
      Message.InstanceAssignment a) {
    Component c = a.component();
    AppDescriptor wrapper =
        new AppDescriptor(
            COMPONENT_WRAPPER, null, List.of(), List.of(withDependsOn(c, List.of())), List.of(),
            List.of(), null);
    return eu.mlsysops.protocol.grpc.proto.InstanceAssignment.newBuilder()
        .setApp(a.app())
        .setInstanceId(a.instanceId())
        .setComponentJson(Descriptors.toJson(wrapper))
        .addAllComponentDependsOn(c.dependsOn())
        .build();
  }

  private static Message.InstanceAssignment assignment(
      eu.mlsysops.protocol.grpc.proto.InstanceAssignment a, String field) {
    AppDescriptor wrapper =
        descriptor(a.getComponentJson(), AppDescriptor.class, field + ".component_json");
    if (wrapper.components().size() != 1) {
      throw new IllegalArgumentException(
          field + ".component_json: expected one component, found " + wrapper.components().size());
    }
    Component c = withDependsOn(wrapper.components().get(0), a.getComponentDependsOnList());
    return new Message.InstanceAssignment(a.getApp(), a.getInstanceId(), c);
  }

  private static Component withDependsOn(Component c, List<String> dependsOn) {
    return new Component(
        c.metadata(),
        c.nodePlacement(),
        dependsOn,
        c.runtimeConfiguration(),
        c.sensors(),
        c.qosMetrics(),
        c.storage(),
        c.dataSensitivity(),
        c.dataCriticality(),
        c.externalComponent(),
        c.externalAccess(),
        c.hostNetwork(),
        c.runtimeClassName(),
        c.restartPolicy(),
        c.os(),
        c.nodeType(),
        c.containerRuntime(),
        c.containers(),
        c.qosWarmup());
  }

  private static <T extends Descriptor> T descriptor(String json, Class<T> type, String field) {
    ParseResult result = Descriptors.parse(json, field + ".json", ParseOptions.ACCEPTED);
    if (result.hasErrors()) {
      throw new IllegalArgumentException(
          field
              + ": "
              + result.errors().stream()
                  .limit(5)
                  .map(MessageCodec::problem)
                  .collect(Collectors.joining("; ")));
    }
    List<T> found = result.ofType(type);
    if (found.size() != 1 || result.descriptors().size() != 1) {
      throw new IllegalArgumentException(
          field + ": expected one " + type.getSimpleName() + ", found "
              + result.descriptors().stream().map(d -> d.kind().wireName()).toList());
    }
    return found.get(0);
  }

  private static String problem(Problem p) {
    return p.path() == null || p.path().isEmpty() ? p.message() : p.path() + ": " + p.message();
  }
}
