package io.mptj.task;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text transformations of ATTEMPT's text-to-text casting ({@code attempt/data/tasks.py}, {@code
 * attempt/utils/utils.py}), which follow the T5 preprocessors
 * (google-research/text-to-text-transfer-transformer {@code t5/data/preprocessors.py}).
 */
public final class T5Text {
  private T5Text() {}

  private static final Pattern PUNCT = Pattern.compile("([^_\\s\\p{N}\\p{L}\\p{M}])");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern BR = Pattern.compile("<br>");
  private static final Pattern BOLD = Pattern.compile("<(/)?b>");
  private static final Pattern HIGHLIGHT_AFTER_STOP =
      Pattern.compile("(\\.|\\?|!|\"|')\n@highlight\n");
  private static final Pattern HIGHLIGHT = Pattern.compile("\n@highlight\n");

  /** ATTEMPT's source format: {@code prefix} (may be empty) then the parts, joined by spaces. */
  public static String join(String prefix, List<String> parts) {
    String body = String.join(" ", parts);
    return prefix.isEmpty() ? body : prefix + " " + body;
  }

  /**
   * T5's {@code _pad_punctuation}: spaces around every character that is not a letter, number,
   * mark, underscore or space, then runs of whitespace collapsed to one space (used for SQuAD).
   */
  public static String padPunctuation(String text) {
    String padded = PUNCT.matcher(text).replaceAll(" $1 ");
    return SPACES.matcher(padded).replaceAll(" ");
  }

  /** MultiRC's HTML markup removed as T5 does: {@code <br>} to a space, {@code <b>} dropped. */
  public static String removeMarkup(String text) {
    return BOLD.matcher(BR.matcher(text).replaceAll(" ")).replaceAll("");
  }

  /** A ReCoRD passage with its {@code @highlight} lines joined into sentences, as T5 does. */
  public static String recordPassage(String passage) {
    String s = HIGHLIGHT_AFTER_STOP.matcher(passage).replaceAll("$1 ");
    return HIGHLIGHT.matcher(s).replaceAll(". ");
  }

  /**
   * T5's WSC marking: the span that starts at whitespace-token {@code index} and reads {@code span}
   * gets {@code mark} on both sides ({@code "# This # is a * test * sentence ."}); the text is
   * unchanged when the span is not there.
   */
  public static String markSpan(String text, String span, int index, String mark) {
    Pattern p = Pattern.compile("^((?:\\S+\\s){" + index + "})(" + Pattern.quote(span) + ")");
    Matcher m = p.matcher(text);
    if (!m.find()) {
      return text;
    }
    return m.group(1) + mark + " " + m.group(2) + " " + mark + text.substring(m.end());
  }

  /**
   * An STS-B score as T5 writes its target: rounded to the nearest 0.2 (ties to even, as {@code
   * np.round}) and printed with one decimal, e.g. {@code "3.4"}; 26 classes from "0.0" to "5.0".
   */
  public static String stsbTarget(double score) {
    return String.format(Locale.ROOT, "%.1f", Math.rint(score * 5) / 5);
  }
}
