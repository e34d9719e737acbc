package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.grpc.proto.TierProto;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;

/**
 * The {@code mlsysops.v1.TierService} of {@code tier.proto}, written out by hand: protoc generates
 * the messages, but no protoc-gen-grpc-java binary is available to this build. This is what that
 * plugin would generate for the one method, with names taken from the compiled descriptor so they
 * cannot drift from the .proto.
 */
final class TierServiceDefinition {
  static final com.google.protobuf.Descriptors.ServiceDescriptor SERVICE =
      TierProto.getDescriptor().findServiceByName("TierService");

  static final MethodDescriptor<Envelope, Envelope> CONNECT =
      MethodDescriptor.<Envelope, Envelope>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName(
                  SERVICE.getFullName(), SERVICE.findMethodByName("Connect").getName()))
          .setRequestMarshaller(ProtoUtils.marshaller(Envelope.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(Envelope.getDefaultInstance()))
          .build();

  private TierServiceDefinition() {}

  static ServerServiceDefinition bind(ServerCalls.BidiStreamingMethod<Envelope, Envelope> connect) {
    return ServerServiceDefinition.builder(SERVICE.getFullName())
        .addMethod(CONNECT, ServerCalls.asyncBidiStreamingCall(connect))
        .build();
  }
}
