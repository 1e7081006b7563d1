package io.mptj.testing;

import java.lang.classfile.ClassFile;
import java.lang.classfile.instruction.InvokeInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Scans the compiled main classes for method calls, with the JDK's class-file API. */
public final class CompiledCalls {
  private CompiledCalls() {}

  /**
   * Every call in {@code target/classes} that {@code match} accepts, as {@code class.method calls
   * name}, leaving out the classes named in {@code exempt} (internal names, {@code io/mptj/x/Y}).
   */
  public static List<String> find(Predicate<InvokeInstruction> match, Set<String> exempt)
      throws java.io.IOException {
    List<String> found = new ArrayList<>();
    try (var files = Files.walk(Path.of("target/classes"))) {
      for (Path f : files.filter(x -> x.toString().endsWith(".class")).toList()) {
        var model = ClassFile.of().parse(f);
        String name = model.thisClass().asInternalName();
        if (exempt.contains(name)) {
          continue;
        }
        for (var method : model.methods()) {
          String where = name + "." + method.methodName().stringValue();
          method
              .code()
              .ifPresent(
                  code ->
                      code.forEach(
                          e -> {
                            if (e instanceof InvokeInstruction i && match.test(i)) {
                              found.add(where + " calls " + i.name().stringValue());
                            }
                          }));
        }
      }
    }
    return found;
  }
}
