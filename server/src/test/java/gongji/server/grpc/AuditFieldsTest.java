package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import gongji.server.domain.Masking;
import gongji.v1.AdminProto;
import gongji.v1.AuthorizeRequest;
import gongji.v1.CommonProto;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.FamilyProto;
import gongji.v1.LineItem;
import gongji.v1.SettlementProto;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An audit record's fields are written from each message type's shape, worked out once: they must
 * be what the walk over {@code getAllFields} wrote, for every message of the contract.
 */
class AuditFieldsTest {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String[] TEXTS = {"", "张三", "欧阳娜娜", "P620100000001", "SSC-620100-7", "T000042", "x"};

  @Test
  void everyMessageOfTheContract_withFieldsSetAtRandom_isWrittenAsTheWalkOverAllFieldsWroteIt() throws Exception {
    List<Descriptor> types = new ArrayList<>();
    for (FileDescriptor file : List.of(CommonProto.getDescriptor(), SettlementProto.getDescriptor(),
        FamilyProto.getDescriptor(), AdminProto.getDescriptor())) {
      for (Descriptor d : file.getMessageTypes()) {
        collect(d, types);
      }
    }
    assertTrue(types.size() > 50, "the contract's message types: " + types.size());
    Random random = new Random(20261205L);
    int compared = 0;
    for (int round = 0; round < 40; round++) {
      for (Descriptor type : types) {
        Message m = filled(builderOf(type), random, 0).build();
        for (boolean insideCredential : new boolean[] {false, true}) {
          assertEquals(walk(m, insideCredential), shaped(m, insideCredential), type.getFullName() + ": " + m);
          compared++;
        }
      }
    }
    assertTrue(compared > 4_000);
  }

  @Test
  void aSaleRequest_keepsItsIdAndItemCount_masksPersonAndCredential_andLeavesNoNumberInClear() throws IOException {
    AuthorizeRequest r = AuthorizeRequest.newBuilder().setRequestId("POS01-1").setPsnNo("P620100000001")
        .setCredential(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
            .setNumber("SSC-620100-7"))
        .addItems(LineItem.getDefaultInstance()).addItems(LineItem.getDefaultInstance())
        .build();
    String written = shaped(r, false);
    assertTrue(written.startsWith(
        "{\"request_id\":\"POS01-1\",\"credential\":{\"type\":\"CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD\","), written);
    assertTrue(written.contains("\"number\":\"" + Masking.psnNo("SSC-620100-7") + "\""), written);
    assertTrue(written.contains("\"psn_no\":\"" + Masking.psnNo("P620100000001") + "\""), written);
    assertTrue(written.endsWith("\"items_count\":2}"), written);
    assertFalse(written.contains("SSC-620100-7") || written.contains("P620100000001"), written);
  }

  private static void collect(Descriptor d, List<Descriptor> into) {
    if (d.getOptions().getMapEntry()) {
      return;
    }
    into.add(d);
    for (Descriptor nested : d.getNestedTypes()) {
      collect(nested, into);
    }
  }

  private static Message.Builder builderOf(Descriptor type) throws ReflectiveOperationException {
    String javaName = type.getFile().getOptions().getJavaPackage() + "."
        + type.getFullName().substring(type.getFile().getPackage().length() + 1).replace('.', '$');
    return (Message.Builder) Class.forName(javaName).getMethod("newBuilder").invoke(null);
  }

  /** Sets about half the fields, at random (defaults included), to three levels of messages. */
  private static Message.Builder filled(Message.Builder b, Random random, int depth) {
    for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
      if (random.nextInt(10) < 4) {
        continue;
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 3) {
        continue;
      }
      if (f.isRepeated()) {
        for (int i = random.nextInt(3); i > 0; i--) {
          b.addRepeatedField(f, value(b, f, random, depth));
        }
      } else {
        b.setField(f, value(b, f, random, depth));
      }
    }
    return b;
  }

  private static Object value(Message.Builder b, FieldDescriptor f, Random random, int depth) {
    return switch (f.getJavaType()) {
      case MESSAGE -> filled(b.newBuilderForField(f), random, depth + 1).build();
      case ENUM -> {
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        yield values.get(random.nextInt(values.size()));
      }
      case INT -> random.nextBoolean() ? 0 : random.nextInt();
      case LONG -> random.nextBoolean() ? 0L : random.nextLong();
      case BOOLEAN -> random.nextBoolean();
      case STRING -> TEXTS[random.nextInt(TEXTS.length)];
      case BYTE_STRING -> ByteString.copyFromUtf8(TEXTS[random.nextInt(TEXTS.length)]);
      case FLOAT -> random.nextBoolean() ? 0f : random.nextFloat();
      case DOUBLE -> random.nextBoolean() ? 0d : random.nextDouble();
    };
  }

  private static String shaped(Message m, boolean insideCredential) throws IOException {
    StringWriter s = new StringWriter();
    try (JsonGenerator out = JSON.createGenerator(s)) {
      AuditInterceptor.fields(out, m, insideCredential);
    }
    return s.toString();
  }

  private static String walk(Message m, boolean insideCredential) throws IOException {
    StringWriter s = new StringWriter();
    try (JsonGenerator out = JSON.createGenerator(s)) {
      walk(out, m, insideCredential);
    }
    return s.toString();
  }

  /** The record's fields as they were written before the shapes: a walk over {@code getAllFields}. */
  private static void walk(JsonGenerator out, Message m, boolean insideCredential) throws IOException {
    out.writeStartObject();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      String name = f.getName();
      Object v = e.getValue();
      if (f.isRepeated()) {
        out.writeNumberField(name + "_count", ((List<?>) v).size());
      } else if (v instanceof Message sub) {
        out.writeFieldName(name);
        walk(out, sub, insideCredential || name.contains("credential"));
      } else if (v instanceof EnumValueDescriptor ev) {
        out.writeStringField(name, ev.getName());
      } else if (v instanceof Long l) {
        out.writeNumberField(name, l);
      } else if (v instanceof Integer i) {
        out.writeNumberField(name, i);
      } else if (v instanceof Boolean bool) {
        out.writeBooleanField(name, bool);
      } else if (v instanceof String text) {
        String kept = text(name, text, insideCredential);
        if (kept != null) {
          out.writeStringField(name, kept);
        }
      }
    }
    out.writeEndObject();
  }

  private static String text(String name, String value, boolean insideCredential) {
    if (insideCredential || name.contains("psn_no") || name.contains("number") || name.contains("id_no")
        || name.contains("cert")) {
      return Masking.psnNo(value);
    }
    if (name.endsWith("name")) {
      return Masking.name(value);
    }
    if (name.endsWith("_id") || name.endsWith("_code") || name.equals("reason")) {
      return value;
    }
    return null;
  }
}
