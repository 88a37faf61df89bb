package org.loralab.lora.train;

import java.util.List;

/**
 * One optimizer parameter group, as torch.optim keeps them: a learning rate, a weight decay and the (hierarchical
 * DJL) names of its parameters.
 */
public record ParamGroup(String name, double lr, double weightDecay, List<String> paramNames) {
    public ParamGroup {
        paramNames = List.copyOf(paramNames);
    }
}
