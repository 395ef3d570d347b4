package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import gongji.v1.ErrorReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code buf lint}-style check of the wire contract, run on the descriptors protoc wrote with their
 * comments ({@code gongji-v1.protoset} in the proto jar), so that no other tool is needed. The rules we
 * hold to, one test each:
 *
 * <ol>
 *   <li>Names: messages, enums, services and rpcs UpperCamelCase; fields lower_snake_case; enum
 *       values UPPER_SNAKE_CASE (buf's *_PASCAL_CASE, FIELD_LOWER_SNAKE_CASE, ENUM_VALUE_UPPER_SNAKE_CASE).
 *   <li>Enums: the zero value is {@code <ENUM>_UNSPECIFIED} (ENUM_ZERO_VALUE_SUFFIX) and every value
 *       starts with the enum's name (ENUM_VALUE_PREFIX), but for {@code ErrorReason}, whose values are
 *       AIP-193 reasons sent bare in {@code ErrorInfo.reason}; the zero value has no meaning: its
 *       comment says "Not used" or "Not a valid input".
 *   <li>RPCs: the request of rpc {@code Foo} is {@code FooRequest}; the response {@code FooResponse}
 *       or a resource (a message named neither *Request nor *Response, AIP-131/133/134); every
 *       {@code List*} takes {@code page_size} and {@code page_token} and answers {@code next_page_token}
 *       (AIP-158).
 *   <li>Every mutating rpc (all but Get*, List*, Identify and Reconcile: the reads, as
 *       {@link CallerAuth#isRead}) has a string {@code request_id} (AIP-155).
 *   <li>Instants are {@code google.protobuf.Timestamp} and days {@code google.type.Date} (AIP-142):
 *       no int64 {@code *_millis} field and no string {@code date} field.
 *   <li>Comments: every service, rpc, message, field, enum and enum value has a leading comment, and
 *       every rpc's comment has a "Refusals:" line whose UPPER_SNAKE words all name ErrorReason values.
 * </ol>
 *
 * <p>Where a rule is not met yet, the place is in a named allow-list below with the reason; an entry
 * that is met by now is simply no longer needed.
 */
class ProtoLintTest {
  /**
   * Mutations of FamilyService and AdminService without a request id yet: the helper working on
   * issue 12's Family/Admin contract adds them.
   */
  private static final Set<String> REQUEST_ID_PENDING = Set.of(
      "FamilyService.RequestBinding", "FamilyService.ReviewBinding", "FamilyService.DissolveBinding",
      "FamilyService.UpdateBindingQuota", "FamilyService.OpenWallet", "FamilyService.AcceptWalletTransfer",
      "FamilyService.DeclineWalletTransfer", "AdminService.RegisterInstitution", "AdminService.UpsertInsured",
      "AdminService.CreateBinding", "AdminService.SetRegionPolicy", "AdminService.RecordDeath",
      "AdminService.MoveClock");
  /**
   * Mutations that are idempotent by a key of their own instead of a request id. Reverse is keyed by
   * the id of the request it undoes: reversing it again answers the same.
   */
  private static final Set<String> REQUEST_ID_NOT_NEEDED = Set.of("SettlementService.Reverse");
  /** Times still in epoch milliseconds or "yyyy-MM-dd" text: none left. */
  private static final Set<String> TIME_TYPE_PENDING = Set.of();
  /** Enum zero values that still carry a meaning: none left. */
  private static final Set<String> MEANINGFUL_ZERO_PENDING = Set.of();

  private static final Pattern UPPER_CAMEL = Pattern.compile("[A-Z][a-zA-Z0-9]*");
  private static final Pattern LOWER_SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  private static final Pattern UPPER_SNAKE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
  private static final Pattern REFUSALS = Pattern.compile("Refusals:([^\\n]*(\\n(?!\\s*\\n)[^\\n]*)*)");
  private static final Pattern REASON_WORD = Pattern.compile("\\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\\b");
  private static final Set<String> READS = Set.of("Identify", "Reconcile");

  private static List<FileDescriptorProto> files;
  private static Map<String, DescriptorProto> messages;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = ProtoLintTest.class.getResourceAsStream("/gongji/v1/gongji-v1.protoset")) {
      assertNotNull(in, "gongji-v1.protoset is written by proto/pom.xml (writeDescriptorSet)");
      files = FileDescriptorSet.parseFrom(in).getFileList().stream()
          .filter(f -> f.getPackage().equals("gongji.v1")).toList();
    }
    messages = new HashMap<>();
    for (FileDescriptorProto f : files) {
      for (DescriptorProto m : f.getMessageTypeList()) {
        messages.put(m.getName(), m);
      }
    }
    assertTrue(files.size() >= 4 && files.stream().allMatch(FileDescriptorProto::hasSourceCodeInfo),
        "the gongji.v1 files with their comments");
  }

  // ---- the walk -----------------------------------------------------------------------------------

  /** One element of a file and its leading comment. */
  private record Element(String kind, String name, String comment) {}

  private static List<Element> elements() {
    List<Element> out = new ArrayList<>();
    for (FileDescriptorProto f : files) {
      Map<List<Integer>, String> comments = new HashMap<>();
      for (SourceCodeInfo.Location l : f.getSourceCodeInfo().getLocationList()) {
        comments.put(l.getPathList(), l.getLeadingComments());
      }
      for (int i = 0; i < f.getServiceCount(); i++) {
        ServiceDescriptorProto s = f.getService(i);
        out.add(new Element("service", s.getName(), comments.get(List.of(6, i))));
        for (int j = 0; j < s.getMethodCount(); j++) {
          out.add(new Element("rpc", s.getName() + "." + s.getMethod(j).getName(), comments.get(List.of(6, i, 2, j))));
        }
      }
      for (int i = 0; i < f.getMessageTypeCount(); i++) {
        DescriptorProto m = f.getMessageType(i);
        out.add(new Element("message", m.getName(), comments.get(List.of(4, i))));
        for (int j = 0; j < m.getFieldCount(); j++) {
          out.add(new Element("field", m.getName() + "." + m.getField(j).getName(), comments.get(List.of(4, i, 2, j))));
        }
      }
      for (int i = 0; i < f.getEnumTypeCount(); i++) {
        EnumDescriptorProto e = f.getEnumType(i);
        out.add(new Element("enum", e.getName(), comments.get(List.of(5, i))));
        for (int j = 0; j < e.getValueCount(); j++) {
          out.add(new Element("enum value", e.getName() + "." + e.getValue(j).getName(),
              comments.get(List.of(5, i, 2, j))));
        }
      }
    }
    return out;
  }

  private static void forEachRpc(Consumer<MethodInService> check) {
    for (FileDescriptorProto f : files) {
      for (ServiceDescriptorProto s : f.getServiceList()) {
        for (MethodDescriptorProto m : s.getMethodList()) {
          check.accept(new MethodInService(s.getName() + "." + m.getName(), m));
        }
      }
    }
  }

  private record MethodInService(String name, MethodDescriptorProto method) {
    DescriptorProto request() {
      return messages.get(simple(method.getInputType()));
    }

    String requestName() {
      return simple(method.getInputType());
    }

    String responseName() {
      return simple(method.getOutputType());
    }
  }

  private static String simple(String typeName) {
    return typeName.substring(typeName.lastIndexOf('.') + 1);
  }

  private static FieldDescriptorProto field(DescriptorProto m, String name) {
    return m == null ? null : m.getFieldList().stream().filter(f -> f.getName().equals(name)).findFirst().orElse(null);
  }

  private static List<EnumDescriptorProto> enums() {
    return files.stream().flatMap(f -> f.getEnumTypeList().stream()).toList();
  }

  private static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  // ---- the rules ------------------------------------------------------------------------------------

  @Test
  void names_followTheirCase() {
    List<String> bad = new ArrayList<>();
    for (Element e : elements()) {
      String last = e.name().substring(e.name().lastIndexOf('.') + 1);
      Pattern expected = switch (e.kind()) {
        case "field" -> LOWER_SNAKE;
        case "enum value" -> UPPER_SNAKE;
        default -> UPPER_CAMEL;
      };
      if (!expected.matcher(last).matches()) {
        bad.add(e.kind() + " " + e.name());
      }
    }

    assertEquals(List.of(), bad);
  }

  @Test
  void enums_zeroIsUnspecifiedWithoutMeaning_andValuesArePrefixed() {
    List<String> bad = new ArrayList<>();
    Map<String, String> comments = elements().stream().filter(e -> e.kind().equals("enum value"))
        .collect(Collectors.toMap(Element::name, e -> e.comment() == null ? "" : e.comment().trim()));
    for (EnumDescriptorProto e : enums()) {
      String prefix = upperSnake(e.getName()) + "_";
      EnumValueDescriptorProto zero = e.getValue(0);
      if (zero.getNumber() != 0 || !zero.getName().equals(prefix + "UNSPECIFIED")) {
        bad.add(e.getName() + ": the zero value is " + zero.getName() + " (expected: " + prefix + "UNSPECIFIED)");
      }
      String zeroComment = comments.get(e.getName() + "." + zero.getName());
      if (!(zeroComment.startsWith("Not used") || zeroComment.startsWith("Not a valid input"))
          && !MEANINGFUL_ZERO_PENDING.contains(e.getName() + "." + zero.getName())) {
        bad.add(e.getName() + "." + zero.getName() + " has a meaning: " + zeroComment);
      }
      if (e.getName().equals("ErrorReason")) {
        continue;
      }
      for (EnumValueDescriptorProto v : e.getValueList()) {
        if (!v.getName().startsWith(prefix)) {
          bad.add(e.getName() + "." + v.getName() + " (expected the prefix " + prefix + ")");
        }
      }
    }

    assertEquals(List.of(), bad);
  }

  @Test
  void rpcs_requestAndResponseNamed_andListsPaged() {
    List<String> bad = new ArrayList<>();
    forEachRpc(m -> {
      String rpc = m.method().getName();
      if (!m.requestName().equals(rpc + "Request")) {
        bad.add(m.name() + " takes " + m.requestName() + " (expected: " + rpc + "Request)");
      }
      String response = m.responseName();
      if (!response.equals(rpc + "Response") && (response.endsWith("Request") || response.endsWith("Response"))) {
        bad.add(m.name() + " answers " + response + " (expected: " + rpc + "Response or a resource)");
      }
      if (rpc.startsWith("List")) {
        FieldDescriptorProto size = field(m.request(), "page_size");
        FieldDescriptorProto token = field(m.request(), "page_token");
        FieldDescriptorProto next = field(messages.get(response), "next_page_token");
        if (size == null || size.getType() != FieldDescriptorProto.Type.TYPE_INT32
            || token == null || token.getType() != FieldDescriptorProto.Type.TYPE_STRING
            || next == null || next.getType() != FieldDescriptorProto.Type.TYPE_STRING) {
          bad.add(m.name() + " is not paged (page_size, page_token -> next_page_token)");
        }
      }
    });

    assertEquals(List.of(), bad);
  }

  @Test
  void mutatingRpcs_haveARequestId() {
    List<String> bad = new ArrayList<>();
    forEachRpc(m -> {
      String rpc = m.method().getName();
      boolean read = rpc.startsWith("Get") || rpc.startsWith("List") || READS.contains(rpc);
      FieldDescriptorProto id = field(m.request(), "request_id");
      if (!read && (id == null || id.getType() != FieldDescriptorProto.Type.TYPE_STRING)
          && !REQUEST_ID_PENDING.contains(m.name()) && !REQUEST_ID_NOT_NEEDED.contains(m.name())) {
        bad.add(m.name() + " changes the ledger without a request_id");
      }
    });

    assertEquals(List.of(), bad);
  }

  @Test
  void times_areTimestampsAndDays_areDates() {
    List<String> bad = new ArrayList<>();
    for (DescriptorProto m : messages.values()) {
      for (FieldDescriptorProto f : m.getFieldList()) {
        boolean millis = f.getName().endsWith("_millis") && f.getType() == FieldDescriptorProto.Type.TYPE_INT64;
        boolean dateText = f.getName().equals("date") && f.getType() == FieldDescriptorProto.Type.TYPE_STRING;
        String name = m.getName() + "." + f.getName();
        if ((millis || dateText) && !TIME_TYPE_PENDING.contains(name)) {
          bad.add(name + (millis ? " (expected: google.protobuf.Timestamp)" : " (expected: google.type.Date)"));
        }
      }
    }

    assertEquals(List.of(), bad.stream().sorted().toList());
  }

  @Test
  void everyElement_isCommented() {
    List<String> bare = elements().stream().filter(e -> e.comment() == null || e.comment().isBlank())
        .map(e -> e.kind() + " " + e.name()).toList();

    assertEquals(List.of(), bare);
  }

  @Test
  void everyRpcComment_listsItsRefusals_byTheirErrorReasonNames() {
    Set<String> reasons = IntStream.range(0, ErrorReason.values().length - 1)
        .mapToObj(i -> ErrorReason.values()[i].name()).collect(Collectors.toSet());
    List<String> bad = new ArrayList<>();
    for (Element e : elements()) {
      if (!e.kind().equals("rpc")) {
        continue;
      }
      Matcher refusals = REFUSALS.matcher(e.comment() == null ? "" : e.comment());
      if (!refusals.find()) {
        bad.add(e.name() + ": no \"Refusals:\" line");
        continue;
      }
      Matcher word = REASON_WORD.matcher(refusals.group(1));
      while (word.find()) {
        if (!reasons.contains(word.group())) {
          bad.add(e.name() + ": " + word.group() + " is not an ErrorReason");
        }
      }
    }

    assertEquals(List.of(), bad);
  }

  @Test
  void refusalCheck_onACommentNamingAnUnknownReason_findsIt() {
    Matcher refusals = REFUSALS.matcher("Does a thing.\n Refusals: PATIENT_NOT_FOUND, NO_SUCH_REASON (why).\n");

    assertTrue(refusals.find());
    Matcher word = REASON_WORD.matcher(refusals.group(1));
    List<String> words = new ArrayList<>();
    while (word.find()) {
      words.add(word.group());
    }
    assertEquals(List.of("PATIENT_NOT_FOUND", "NO_SUCH_REASON"), words);
  }
}
