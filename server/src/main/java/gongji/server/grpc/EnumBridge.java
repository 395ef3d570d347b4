package gongji.server.grpc;

import com.google.protobuf.ProtocolMessageEnum;
import java.util.EnumMap;

/**
 * Maps a proto enum to the domain enum of the same meaning by name ({@code ITEM_CATEGORY_DRUG} <->
 * {@code DRUG}), both ways, with tables built once. {@code *_UNSPECIFIED} and unknown numbers map
 * to null: never a valid input.
 */
final class EnumBridge<P extends Enum<P> & ProtocolMessageEnum, D extends Enum<D>> {
  private final Object[] byNumber;
  private final EnumMap<D, P> toProto;

  EnumBridge(Class<P> protoType, Class<D> domainType, String prefix) {
    int max = 0;
    for (P p : protoType.getEnumConstants()) {
      if (!p.name().equals("UNRECOGNIZED")) {
        max = Math.max(max, p.getNumber());
      }
    }
    byNumber = new Object[max + 1];
    toProto = new EnumMap<>(domainType);
    for (D d : domainType.getEnumConstants()) {
      P p = Enum.valueOf(protoType, prefix + d.name());
      byNumber[p.getNumber()] = d;
      toProto.put(d, p);
    }
  }

  /** The domain value for a wire number, or null for UNSPECIFIED and unknown numbers. */
  @SuppressWarnings("unchecked") // byNumber holds only D values (filled in the constructor): a generic array
  D toDomain(int number) {
    return number > 0 && number < byNumber.length ? (D) byNumber[number] : null;
  }

  P toProto(D value) {
    return toProto.get(value);
  }
}
