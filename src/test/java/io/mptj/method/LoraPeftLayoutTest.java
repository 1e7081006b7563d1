package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.bert.BertEncoder;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.SafetensorsFile;
import io.mptj.pipeline.Stage;
import io.mptj.testing.TestSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA adapter mptj writes has PEFT's layout exactly: {@code adapter_config.json} holds the keys
 * of PEFT 0.7's {@code LoraConfig} (the PEFT version of {@code ../shared/fixtures/peft}) and no
 * others, and {@code adapter_model.safetensors} holds {@code
 * base_model.model.<module>.lora_A.weight} (r, in) and {@code lora_B.weight} (out, r) as F32 for
 * each targeted module, with metadata format pt.
 */
class LoraPeftLayoutTest {

  /** PEFT 0.7.1's LoraConfig fields with PeftConfig's, as save_pretrained writes them. */
  static final Set<String> PEFT_071_LORA_KEYS =
      Set.of(
          "alpha_pattern",
          "auto_mapping",
          "base_model_name_or_path",
          "bias",
          "fan_in_fan_out",
          "inference_mode",
          "init_lora_weights",
          "layers_pattern",
          "layers_to_transform",
          "loftq_config",
          "lora_alpha",
          "lora_dropout",
          "megatron_config",
          "megatron_core",
          "modules_to_save",
          "peft_type",
          "r",
          "rank_pattern",
          "revision",
          "target_modules",
          "task_type",
          "use_rslora");

  @TempDir Path tmp;

  @Test
  void loraAdaptersHavePeftsKeysTensorNamesShapesAndDtype() throws Exception {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandom(tmp.resolve("bert"), 3));
        NDManager m = NDManager.newBaseManager()) {
      MethodConfig c =
          TestSettings.of(
                  "bert",
                  Stage.ADAPT,
                  "lora",
                  Map.of("lora_rank", 4, "lora_alpha", 8.0, "lora_targets", "query,value"))
              .config();
      Path dir = tmp.resolve("adapter");
      try (PromptModule lora =
          MethodRegistry.get("lora").create(new TuningMethod.Init(enc, 1, null, 1), c, m)) {
        PeftAdapter.save(dir, lora, new PeftAdapter.Target("tiny", "SEQ_CLS", 4, 2));
      }
      JsonNode json = new ObjectMapper().readTree(dir.resolve(PeftAdapter.CONFIG).toFile());
      Set<String> keys = new TreeSet<>();
      json.fieldNames().forEachRemaining(keys::add);
      assertEquals(new TreeSet<>(PEFT_071_LORA_KEYS), keys);
      assertEquals("LORA", json.get("peft_type").asText());
      assertEquals(4, json.get("r").asInt());
      assertEquals(8.0, json.get("lora_alpha").asDouble());
      assertEquals("none", json.get("bias").asText());
      assertEquals(
          List.of("query", "value"),
          List.of(
              json.get("target_modules").get(0).asText(),
              json.get("target_modules").get(1).asText()));
      try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(PeftAdapter.WEIGHTS))) {
        Set<String> want = new TreeSet<>();
        for (int layer = 0; layer < 2; layer++) {
          for (String proj : List.of("query", "value")) {
            String base = "base_model.model.encoder.layer." + layer + ".attention.self." + proj;
            want.add(base + ".lora_A.weight");
            want.add(base + ".lora_B.weight");
            assertArrayEquals(new long[] {4, 32}, f.info(base + ".lora_A.weight").shape());
            assertArrayEquals(new long[] {32, 4}, f.info(base + ".lora_B.weight").shape());
            assertEquals("F32", f.info(base + ".lora_A.weight").dtype().name());
          }
        }
        assertEquals(want, new TreeSet<>(f.names()));
        assertEquals(Map.of("format", "pt"), f.metadata());
      }
    }
  }
}
