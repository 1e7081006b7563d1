package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import io.mptj.method.PromptModule;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt tuning on a BERT-family encoder: prompt vectors before the token embeddings, the encoder's
 * output pooled over the input tokens, and a readout ({@link Readout}: a per-task or shared linear
 * head, or label-name similarity) for classification or regression.
 */
public final class EncoderTaskModel implements TaskModel {

  /** How the encoder output is reduced to one vector per example. */
  public enum Pooling {
    /** Mean over the input tokens (not the prompt), as all-MiniLM-L6-v2 was trained. */
    MEAN,
    /** The [CLS] token's state (the first input token, after the prompt). */
    CLS
  }

  private final EncoderBackbone backbone;
  private final PromptModule prompts;
  private final TaskHeads heads;
  private final Pooling pooling;
  private final boolean[] regression;

  /**
   * @param regression per task, whether it is a regression task
   */
  public EncoderTaskModel(
      EncoderBackbone backbone,
      PromptModule prompts,
      TaskHeads heads,
      Pooling pooling,
      boolean[] regression) {
    if (prompts.numTasks() != heads.numTasks() || heads.numTasks() != regression.length) {
      throw new IllegalArgumentException(
          "prompts, heads and task kinds disagree on the number of tasks");
    }
    this.backbone = backbone;
    this.prompts = prompts;
    this.heads = heads;
    this.pooling = pooling;
    this.regression = regression.clone();
  }

  @Override
  public EncoderBackbone backbone() {
    return backbone;
  }

  @Override
  public PromptModule prompts() {
    return prompts;
  }

  /** The task heads. */
  public TaskHeads heads() {
    return heads;
  }

  /** How the encoder output is pooled. */
  public Pooling pooling() {
    return pooling;
  }

  /** Per task, whether it is a regression task (a copy). */
  public boolean[] regression() {
    return regression.clone();
  }

  @Override
  public ModelOutput forward(Batch batch) {
    int p = prompts.length();
    LayerEdits edits = prompts.edits(batch.taskIds());
    NDArray embedded = backbone.embed(batch.ids(), edits); // (B, T, d)
    NDArray tokens = prompts.embedTokens(embedded, batch.taskIds()); // (B, T, d)
    NDArray x = tokens; // (B, P+T, d) once the prompt is prepended
    NDArray mask = batch.mask(); // (B, P+T)
    NDArray types = batch.typeIds(); // (B, P+T)
    if (p > 0) {
      NDArray prompt = prompts.forward(batch.taskIds(), tokens, batch.mask()); // (B, P, d)
      x = PromptInput.prependEmbeddings(prompt, tokens);
      mask = PromptInput.extendMask(mask, p);
      types = PromptInput.extendTokenTypes(types, p);
    }
    NDArray h = backbone.encode(x, types, mask, edits); // (B, P+T, d)
    NDArray pooled = pool(h, batch.mask(), p); // (B, d)
    NDArray logits = heads.forward(pooled, batch.taskIds()); // (B, C)
    return new ModelOutput(logits, pooled, null);
  }

  private NDArray pool(NDArray h, NDArray tokenMask, int p) {
    return pooling == Pooling.CLS
        ? h.get(":, " + p + ", :")
        : meanOverTokens(h, tokenMask, p); // (B, d)
  }

  /**
   * The mean of the states of the input tokens, leaving out the prompt and padding.
   *
   * @param h (B, P + T, d) states
   * @param tokenMask (B, T) 1 for tokens
   * @return (B, d)
   */
  static NDArray meanOverTokens(NDArray h, NDArray tokenMask, int p) {
    NDArray tokens = h.get(":, " + p + ":, :"); // (B, T, d)
    NDArray m = tokenMask.toType(DataType.FLOAT32, false).expandDims(2); // (B, T, 1)
    NDArray sum = tokens.mul(m).sum(new int[] {1}); // (B, d)
    return sum.div(Tensors.atLeast(m.sum(new int[] {1}), 1)); // (B, d)
  }

  @Override
  public NDArray taskLoss(Batch batch, ModelOutput out) {
    NDArray logp = out.logits().logSoftmax(1); // (B, C)
    NDArray nll = logp.neg().gather(batch.labels().expandDims(1), 1).squeeze(1); // (B)
    NDArray se = out.logits().get(":, 0").sub(batch.targets()).square(); // (B)
    NDArray isReg = batch.isRegression(); // (B)
    return se.mul(isReg).add(nll.mul(Tensors.plus(isReg.neg(), 1))); // (B)
  }

  @Override
  public NDArray distillLoss(
      Batch batch, ModelOutput out, List<TeacherOutput> teacher, double temperature) {
    NDManager m = batch.ids().getManager();
    int b = batch.size();
    int c = (int) out.logits().getShape().get(1);
    int d = (int) out.hidden().getShape().get(1);
    NDArray tLogits =
        m.create(flatten(teacher, TeacherOutput::logits, c), new Shape(b, c)); // (B, C)
    NDArray tHidden =
        m.create(flatten(teacher, TeacherOutput::hidden, d), new Shape(b, d)); // (B, d)
    float t = (float) temperature;
    NDArray logPt = Tensors.over(tLogits, t).logSoftmax(1); // (B, C)
    NDArray logPs = Tensors.over(out.logits(), t).logSoftmax(1); // (B, C)
    NDArray kl = Tensors.times(logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {1}), t * t); // (B)
    NDArray regGap = out.logits().get(":, 0").sub(tLogits.get(":, 0")).square(); // (B)
    NDArray isReg = batch.isRegression(); // (B)
    NDArray outputTerm = regGap.mul(isReg).add(kl.mul(Tensors.plus(isReg.neg(), 1))); // (B)
    NDArray hiddenTerm = out.hidden().sub(tHidden).square().mean(new int[] {1}); // (B)
    return outputTerm.add(hiddenTerm); // (B)
  }

  private static float[] flatten(
      List<TeacherOutput> teacher,
      java.util.function.Function<TeacherOutput, float[]> f,
      int width) {
    float[] out = new float[teacher.size() * width];
    for (int i = 0; i < teacher.size(); i++) {
      float[] x = f.apply(teacher.get(i));
      if (x.length != width) {
        throw new IllegalStateException(
            "cached teacher output has width " + x.length + ", expected " + width);
      }
      System.arraycopy(x, 0, out, i * width, width);
    }
    return out;
  }

  @Override
  public List<TeacherOutput> summarize(Batch batch, ModelOutput out) {
    int c = (int) out.logits().getShape().get(1);
    int d = (int) out.hidden().getShape().get(1);
    float[] logits = out.logits().toFloatArray();
    float[] hidden = out.hidden().toFloatArray();
    List<TeacherOutput> result = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      result.add(
          new TeacherOutput(
              java.util.Arrays.copyOfRange(logits, i * c, (i + 1) * c),
              new int[0],
              java.util.Arrays.copyOfRange(hidden, i * d, (i + 1) * d)));
    }
    return result;
  }

  @Override
  public List<Prediction> predict(Batch batch) {
    ModelOutput out = forward(batch);
    int c = (int) out.logits().getShape().get(1);
    float[] logits = out.logits().toFloatArray();
    List<Prediction> result = new ArrayList<>(batch.size());
    int[] classes = heads.numClasses();
    for (int i = 0; i < batch.size(); i++) {
      int task = batch.instances().get(i).task();
      float[] scores = java.util.Arrays.copyOfRange(logits, i * c, i * c + classes[task]);
      if (regression[task]) {
        result.add(new Prediction(-1, scores[0], null, scores));
      } else {
        result.add(new Prediction(argmax(scores), Double.NaN, null, scores));
      }
    }
    return result;
  }

  static int argmax(float[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(prompts.parameters());
    all.addAll(heads.parameters());
    return all;
  }

  @Override
  public long taskParameterCount(int task) {
    return prompts.taskParameterCount() + heads.taskParameterCount(task);
  }

  @Override
  public long sharedParameterCount() {
    return prompts.sharedParameterCount() + heads.sharedParameterCount();
  }

  @Override
  public void close() {
    heads.close();
    prompts.close();
  }
}
