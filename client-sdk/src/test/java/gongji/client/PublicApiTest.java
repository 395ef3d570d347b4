package gongji.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.internal.Mapping;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the SDK jar promises its callers: Java 8 bytecode (old HIS systems), and a public surface of
 * its own types only: nothing from {@code gongji.client.internal} or the wire ({@code gongji.v1}).
 */
class PublicApiTest {
  private static final List<String> HIDDEN_PACKAGES = List.of("gongji.client.internal", "gongji.v1");

  @Test
  void classFiles_ofTheBuiltSdk_areJava8Bytecode() throws Exception {
    List<Path> classFiles = sdkClassFiles(sdkClasses().resolve("gongji/client"), true);

    List<String> notJava8 = new ArrayList<>();
    for (Path file : classFiles) {
      try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
        assertEquals(0xCAFEBABE, data.readInt(), file + " is not a class file");
        data.readUnsignedShort();  // minor
        int major = data.readUnsignedShort();
        if (major != 52) {
          notJava8.add(sdkClasses().relativize(file) + ": class file version " + major);
        }
      }
    }

    assertTrue(classFiles.size() >= 30, "found only " + classFiles.size() + " class files under " + sdkClasses());
    assertTrue(classFiles.stream().anyMatch(f -> f.toString().contains("internal")), "internal/ is checked too");
    assertTrue(classFiles.stream().anyMatch(f -> f.toString().contains("cli")), "cli/ is checked too");
    assertEquals(List.of(), notJava8, "every class of the SDK must run on Java 8 (major version 52)");
  }

  @Test
  void publicTypes_ofPackageGongjiClient_exposeNothingInternalOrFromTheWire() throws Exception {
    List<String> leaks = new ArrayList<>();
    int checked = 0;
    for (Path file : sdkClassFiles(sdkClasses().resolve("gongji/client"), false)) {
      String name = "gongji.client." + file.getFileName().toString().replace(".class", "");
      Class<?> type = Class.forName(name, false, getClass().getClassLoader());
      if (!visible(type)) {
        continue;
      }
      checked += leaksOf(type, leaks);
    }

    assertTrue(checked > 100, "checked only " + checked + " signatures");
    assertEquals(List.of(), leaks);
  }

  @Test
  void leakCheck_onAClassThatDoesExposeTheWire_findsIt() {
    List<String> leaks = new ArrayList<>();

    leaksOf(Mapping.class, leaks);

    assertTrue(leaks.stream().anyMatch(l -> l.contains("gongji.v1.AuthorizeRequest")), leaks.toString());
  }

  /** Adds a line for every hidden type in the public signatures of {@code type}; returns how many types it looked at. */
  private static int leaksOf(Class<?> type, List<String> leaks) {
    List<Type> seen = new ArrayList<>();
    List<String> where = new ArrayList<>();
    add(seen, where, type.getName() + " extends", type.getGenericSuperclass());
    for (Type i : type.getGenericInterfaces()) {
      add(seen, where, type.getName() + " implements", i);
    }
    for (Field f : type.getFields()) {
      add(seen, where, f.toString(), f.getGenericType());
    }
    for (Constructor<?> c : type.getConstructors()) {
      for (Type p : c.getGenericParameterTypes()) {
        add(seen, where, c.toGenericString(), p);
      }
      for (Type x : c.getGenericExceptionTypes()) {
        add(seen, where, c.toGenericString(), x);
      }
    }
    for (Method m : type.getMethods()) {
      add(seen, where, m.toGenericString(), m.getGenericReturnType());
      for (Type p : m.getGenericParameterTypes()) {
        add(seen, where, m.toGenericString(), p);
      }
      for (Type x : m.getGenericExceptionTypes()) {
        add(seen, where, m.toGenericString(), x);
      }
    }
    int count = 0;
    for (int i = 0; i < seen.size(); i++) {
      TreeSet<String> classes = new TreeSet<>();
      classesIn(seen.get(i), classes, 0);
      count += classes.size();
      for (String c : classes) {
        for (String hidden : HIDDEN_PACKAGES) {
          if (c.startsWith(hidden + ".")) {
            leaks.add(where.get(i) + " exposes " + c);
          }
        }
      }
    }
    return count;
  }

  private static void add(List<Type> seen, List<String> where, String site, Type t) {
    if (t != null) {
      seen.add(t);
      where.add(site);
    }
  }

  /** Every class named in a generic type: the raw type, its arguments, bounds and components. */
  private static void classesIn(Type t, TreeSet<String> out, int depth) {
    if (depth > 8) {
      return;
    }
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      out.add(c.getName());
    } else if (t instanceof ParameterizedType p) {
      classesIn(p.getRawType(), out, depth + 1);
      for (Type a : p.getActualTypeArguments()) {
        classesIn(a, out, depth + 1);
      }
    } else if (t instanceof GenericArrayType g) {
      classesIn(g.getGenericComponentType(), out, depth + 1);
    } else if (t instanceof WildcardType w) {
      Stream.of(w.getUpperBounds()).forEach(b -> classesIn(b, out, depth + 1));
      Stream.of(w.getLowerBounds()).forEach(b -> classesIn(b, out, depth + 1));
    } else if (t instanceof TypeVariable<?> v) {
      Stream.of(v.getBounds()).forEach(b -> classesIn(b, out, depth + 1));
    }
  }

  /** Public, and so are all the classes it is nested in. */
  private static boolean visible(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers())) {
        return false;
      }
    }
    return !type.isAnonymousClass() && !type.isSynthetic();
  }

  /** target/classes of the SDK, where the build put the classes under test. */
  private static Path sdkClasses() throws URISyntaxException {
    Path p = Path.of(GongjiClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(p) && p.endsWith(Path.of("target", "classes")), "SDK classes not in target/classes: " + p);
    assertFalse(p.toString().contains("test-classes"), p.toString());
    return p;
  }

  private static List<Path> sdkClassFiles(Path dir, boolean recursive) throws IOException {
    try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".class")).sorted().toList();
    }
  }
}
