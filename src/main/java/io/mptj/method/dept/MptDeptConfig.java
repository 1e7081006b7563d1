package io.mptj.method.dept;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.SourceChoice;
import io.mptj.method.mpt.MptConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of MPT transfer under DePT's decomposition: MPT's own settings for the prompt, DePT's
 * for the input offset.
 *
 * @param mpt the prompt's settings (P*, u, v, their learning rates, the target start)
 * @param rank r of the offset
 * @param positions s
 * @param lrOffset the learning rate of A and B
 */
public record MptDeptConfig(MptConfig mpt, int rank, int positions, double lrOffset)
    implements MethodConfig {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = knobs();

  private static List<Knob> knobs() {
    List<Knob> all = new ArrayList<>(MptConfig.KNOBS);
    all.addAll(List.of(DeptConfig.RANK, DeptConfig.POSITIONS, DeptConfig.LR_OFFSET));
    return List.copyOf(all);
  }

  public MptDeptConfig {
    Checks.positive(rank, "--dept-rank");
    Checks.positive(positions, "--dept-positions");
    Checks.positive(lrOffset, "--lr-offset");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static MptDeptConfig from(SettingsMap s) {
    return new MptDeptConfig(
        MptConfig.from(s),
        s.integer(DeptConfig.RANK.key()),
        s.integer(DeptConfig.POSITIONS.key()),
        s.real(DeptConfig.LR_OFFSET.key()));
  }

  @Override
  public int virtualTokens() {
    return mpt.virtualTokens();
  }

  @Override
  public MptDeptConfig withVirtualTokens(int length) {
    return new MptDeptConfig(mpt.withVirtualTokens(length), rank, positions, lrOffset);
  }

  @Override
  public Map<String, Double> learningRates() {
    Map<String, Double> all = new LinkedHashMap<>(mpt.learningRates());
    all.put(DeptConfig.OFFSET_GROUP, lrOffset);
    return all;
  }

  @Override
  public SourceChoice sourceChoice() {
    return mpt.sourceChoice();
  }

  @Override
  public Map<String, Object> saved() {
    Map<String, Object> all = new LinkedHashMap<>(mpt.saved());
    all.putAll(
        Knob.savedAs(
            List.of(DeptConfig.RANK, DeptConfig.POSITIONS, DeptConfig.LR_OFFSET),
            rank,
            positions,
            lrOffset));
    return all;
  }
}
