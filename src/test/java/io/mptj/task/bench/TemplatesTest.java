package io.mptj.task.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.T5Text;
import io.mptj.task.Task;
import io.mptj.testing.Shared;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ATTEMPT's text-to-text casting and the encoder inputs, on real examples and T5's own cases. */
class TemplatesTest {

  private static Example first(String task, String split) {
    return TaskRegistry.get(task).readFiles(Shared.data()).get(split).getFirst();
  }

  @Test
  void glueAndSuperGlueSourcesAndDigitTargets() {
    Task rte = TaskRegistry.get("glue/RTE");
    Example e = first("glue/RTE", "validation");
    assertEquals(
        "rte sentence1: " + e.field("sentence1") + " sentence2: Christopher Reeve had an accident.",
        rte.t5Source(e));
    assertEquals("1", rte.t5Target(e)); // not_entailment
    assertEquals(List.of("0", "1"), rte.t5LabelStrings());
    assertEquals(
        new EncoderInput(e.field("sentence1"), "Christopher Reeve had an accident."),
        rte.encoderInput(e));

    Task cb = TaskRegistry.get("superglue/CB");
    Example c = first("superglue/CB", "validation");
    assertEquals(
        "superglue-cb premise: " + c.field("premise") + " hypothesis: Valence was helping",
        cb.t5Source(c));
    assertEquals("1", cb.t5Target(c)); // contradiction is class 1 in super_glue's order
    assertEquals(List.of("0", "1", "2"), cb.t5LabelStrings());

    Task wic = TaskRegistry.get("superglue/WiC");
    Example w = first("superglue/WiC", "validation");
    assertEquals(
        "superglue-wic sentence1: An emerging professional class. sentence2: "
            + w.field("sentence2")
            + " word: class",
        wic.t5Source(w));

    Task sst2 = TaskRegistry.get("glue/SST-2");
    Example s = first("glue/SST-2", "validation");
    assertEquals(
        "sst2 sentence: it 's a charming and often affecting journey . ", sst2.t5Source(s));
    assertNull(sst2.encoderInput(s).pair());
  }

  @Test
  void wscMarksTheNounAndThePronounAsT5Does() {
    // T5's docstring example: 'wsc text: # This # is a * test * sentence .'
    Example e =
        new Example(
            "0",
            Map.of(
                "text",
                "This is a test sentence .",
                "span1_text",
                "test",
                "span1_index",
                "3",
                "span2_text",
                "This",
                "span2_index",
                "0"),
            new Label.ClassIndex(0));
    assertEquals(
        "superglue-wsc.fixed text: # This # is a * test * sentence .",
        TaskRegistry.get("superglue/WSC").t5Source(e));
    Example real = first("superglue/WSC", "validation");
    assertEquals(
        "superglue-wsc.fixed text: Bernard , who had not told the government official that he was"
            + " less than 21 when he filed for a homestead claim, did not consider that he had done"
            + " anything dishonest. Still, * anyone * who knew that he was 19 years old could take his"
            + " claim away from # him # .",
        TaskRegistry.get("superglue/WSC").t5Source(real));
  }

  @Test
  void wscFixRepairsSpansThatAreNotInTheText() {
    Map<String, String> f =
        new java.util.LinkedHashMap<>(
            Map.of(
                "text",
                "The bird flew.",
                "span1_text",
                "bird.",
                "span1_index",
                "1",
                "span2_text",
                "The",
                "span2_index",
                "0"));
    SuperGlue.WscFix.apply(f);
    assertEquals("bird", f.get("span1_text"));
  }

  @Test
  void wscFixReadsTheSpanIndexBeforeTheTheyscoldRepair() {
    // As HF's _fix_wst: the case follows word 0 ("They"), not word 10 ("d") where span 2 moves.
    Map<String, String> f =
        new java.util.LinkedHashMap<>(
            Map.of(
                "text", "They scold the boy because he did a b c d e.",
                "span1_text", "boy",
                "span1_index", "3",
                "span2_text", "theyscold",
                "span2_index", "0"));
    SuperGlue.WscFix.apply(f);
    assertEquals("Theyscold", f.get("span2_text"));
    assertEquals("10", f.get("span2_index"));
  }

  @Test
  void wscFixChangesCaseTheSameInEveryLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr"));
    try {
      Map<String, String> f =
          new java.util.LinkedHashMap<>(
              Map.of(
                  "text", "It is cold.",
                  "span1_text", "cold",
                  "span1_index", "2",
                  "span2_text", "it.",
                  "span2_index", "0"));
      SuperGlue.WscFix.apply(f);
      assertEquals("It", f.get("span2_text"));
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @Test
  void multircRemovesMarkupAndBoolqUsesQuestionThenPassage() {
    Task m = TaskRegistry.get("superglue/MultiRC");
    Example e =
        new Example(
            "0",
            Map.of("paragraph", "<b>Sent 1: </b>Hi.<br>Bye.", "question", "Q?", "answer", "A"),
            new Label.ClassIndex(1),
            "0-0");
    assertEquals(
        "superglue-multirc question: Q? answer: A paragraph: Sent 1: Hi. Bye.", m.t5Source(e));
    assertEquals(348, m.maxInputLength());
    assertEquals(256, TaskRegistry.get("superglue/BoolQ").maxInputLength());
    Example b = first("superglue/BoolQ", "validation");
    assertEquals(
        "superglue-boolq question: does ethanol take more energy make that produces passage: "
            + b.field("passage"),
        TaskRegistry.get("superglue/BoolQ").t5Source(b));
  }

  @Test
  void t5OutputsMapBackToClassesAndValues() {
    Task rte = TaskRegistry.get("glue/RTE");
    assertEquals(1, rte.t5ToClass(" 1"));
    assertEquals(-1, rte.t5ToClass("entailment"));
    assertEquals("a , b ( c ) ", T5Text.padPunctuation("a, b (c)"));
  }
}
