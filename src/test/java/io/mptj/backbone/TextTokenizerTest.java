package io.mptj.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer wrapper on the bundled all-MiniLM-L6-v2 tokenizer.json (BERT uncased WordPiece).
 */
class TextTokenizerTest {

  static TextTokenizer tok;

  @BeforeAll
  static void load() {
    tok =
        TextTokenizer.fromStream(
            TextTokenizerTest.class
                .getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2-tokenizer.json"),
            "minilm");
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @Test
  void singleTextsGetClsAndSepAroundWordPieces() {
    TextTokenizer.Encoded e = tok.encode("Hello world", null, 0);
    assertArrayEquals(new long[] {101, 7592, 2088, 102}, e.ids()); // [CLS] hello world [SEP]
    assertArrayEquals(new long[] {0, 0, 0, 0}, e.typeIds());
    assertArrayEquals(
        new long[] {7592, 2088}, tok.ids("hello world"), "no special tokens on demand");
    assertEquals(0, tok.padId());
  }

  @Test
  void pairsAreTwoSegmentsAndTruncationCutsTheLongerFirst() {
    TextTokenizer.Encoded pair = tok.encode("hello world", "good", 0);
    assertArrayEquals(new long[] {101, 7592, 2088, 102, 2204, 102}, pair.ids());
    assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1}, pair.typeIds());
    TextTokenizer.Encoded cut = tok.encode("hello world hello world", "good", 6);
    assertEquals(6, cut.length());
    assertArrayEquals(
        new long[] {101, 7592, 2088, 102, 2204, 102}, cut.ids(), "the longer segment loses tokens");
  }

  @Test
  void batchesArePaddedOnTheRightWithAMask() {
    TextTokenizer.Padded p =
        tok.pad(List.of(tok.encode("hello", null, 0), tok.encode("hello world", "good", 0)));
    assertEquals(6, p.length());
    assertArrayEquals(new long[] {101, 7592, 102, 0, 0, 0}, p.ids()[0]);
    assertArrayEquals(new long[] {1, 1, 1, 0, 0, 0}, p.mask()[0]);
    assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1}, p.typeIds()[1]);
    assertEquals("hello world", tok.decode(new long[] {101, 7592, 2088, 102}, true));
  }
}
