package io.mptj.report;

import java.util.Locale;

/** Number formats shared by the report's tables. */
final class Formats {
  private Formats() {}

  /**
   * A parameter count as the paper prints it: {@code 868}, {@code 77.7K}, {@code 1.9M}, {@code
   * 220M}, with one decimal unless it is zero.
   */
  static String count(long n) {
    if (n < 1_000) {
      return Long.toString(n);
    }
    String[] units = {"K", "M", "B"};
    double v = n;
    int u = -1;
    while (v >= 999.95 && u < units.length - 1) {
      v /= 1_000;
      u++;
    }
    String s = String.format(Locale.ROOT, "%.1f", v);
    return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + units[u];
  }

  /** A share in percent to three significant digits, e.g. {@code 0.342%} or {@code 0.0353%}. */
  static String percent(double part, double whole) {
    double p = 100 * part / whole;
    if (p == 0) {
      return "0%";
    }
    int decimals = Math.max(0, 2 - (int) Math.floor(Math.log10(Math.abs(p))));
    return String.format(Locale.ROOT, "%." + decimals + "f%%", p);
  }

  /**
   * A file-name-safe form of a label: {@code *} becomes {@code -star} (so MPT and MPT* differ),
   * other characters than letters, digits, '.' and '_' become '-'.
   */
  static String slug(String label) {
    return label.replace("*", "-star").replaceAll("[^A-Za-z0-9._]+", "-").replaceAll("^-+|-+$", "");
  }

  /** The file-name part of a shots setting: {@code full} or {@code k16}. */
  static String shotsSlug(int shots) {
    return shots == 0 ? "full" : "k" + shots;
  }
}
