package org.loralab.lora.variant.adalora;

/**
 * AdaLoRA's cubic rank budget (PEFT {@code RankAllocator.budget_schedule}, spec §10.5): the full budget up to
 * {@code tinit}, then {@code int((init − target)·(1 − (t − tinit)/(T − tfinal − tinit))³ + target)} with masking
 * every {@code deltaT} steps, then the target budget (always masking) after {@code T − tfinal}.
 *
 * @param initBudget Σ init_r over the adapted matrices
 * @param targetBudget target_r × number of adapted matrices
 */
public record BudgetSchedule(int initBudget, int targetBudget, long tinit, long tfinal, long deltaT, long totalStep) {

    /** The budget at one step and whether to mask there. */
    public record Budget(int budget, boolean mask) {}

    /** The schedule for these options and this many adapted matrices. */
    public static BudgetSchedule of(AdaLoraOptions o, int matrices) {
        return new BudgetSchedule(o.initR() * matrices, o.targetR() * matrices, o.tinit(), o.tfinal(), o.deltaT(),
                o.totalStep());
    }

    /** PEFT's budget_schedule(step). */
    public Budget at(long step) {
        if (step <= tinit) {
            return new Budget(initBudget, false);
        }
        if (step > totalStep - tfinal) {
            return new Budget(targetBudget, true);
        }
        double mul = 1.0 - (double) (step - tinit) / (totalStep - tfinal - tinit);
        int budget = (int) ((initBudget - targetBudget) * (mul * mul * mul) + targetBudget);
        return new Budget(budget, step % deltaT == 0);
    }
}
