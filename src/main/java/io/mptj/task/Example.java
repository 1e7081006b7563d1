package io.mptj.task;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One example as read from a task's original file: its text fields by name (the field names of the
 * dataset, e.g. {@code sentence1}, {@code premise}), its gold label and, for tasks scored per
 * group, the group key (the MultiRC question, the ReCoRD query).
 *
 * @param id unique within the task's original split, e.g. {@code train-17} or the file's own id
 * @param fields text fields in the dataset's order, unmodifiable
 * @param label the gold label, {@link Label#NONE} when unlabelled
 * @param group group key for grouped metrics, or {@code null}
 */
public record Example(String id, Map<String, String> fields, Label label, String group) {

  /** Copies the fields into an unmodifiable map that keeps their order. */
  public Example {
    if (id == null || fields == null || label == null) {
      throw new IllegalArgumentException("id, fields and label are required");
    }
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** An example without a group key. */
  public Example(String id, Map<String, String> fields, Label label) {
    this(id, fields, label, null);
  }

  /** The named text field; fails naming the known fields when absent. */
  public String field(String name) {
    String v = fields.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "example " + id + " has no field '" + name + "' (fields: " + fields.keySet() + ")");
    }
    return v;
  }

  /** Whether the example has a gold label. */
  public boolean labelled() {
    return !(label instanceof Label.None);
  }

  /** The gold class index, or -1 when the label is not a class. */
  public int classIndex() {
    return label instanceof Label.ClassIndex(int index) ? index : -1;
  }

  /** The gold score, or NaN when the label is not a score. */
  public double score() {
    return label instanceof Label.Score(double value) ? value : Double.NaN;
  }

  /** The acceptable answers, empty when the label is not a list of answers. */
  public List<String> answers() {
    return label instanceof Label.Answers(List<String> texts) ? texts : List.of();
  }
}
