package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.models.Mlp;
import org.loralab.lora.variant.ParamRole;

/** Training through core's injector: PEFT names, roles, scalings, and only adapter tensors move. */
class AdaptedFitTest {

    private static AdaptedModel adapted(Model model, double alpha) {
        Engine.getInstance().setRandomSeed(3);
        Mlp mlp = Mlp.builder().addHidden(16).setOutputs(3).build();
        model.setBlock(mlp);
        mlp.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
        return AdaptedModel.inject(model,
                AdapterConfig.builder().r(4).alpha(alpha).targetModules("lin0", "lin1").build());
    }

    @Test
    void paramInfosCarryPeftNamesRolesAndScalings() {
        try (Model model = Model.newInstance("names")) {
            AdaptedModel a = adapted(model, 8);
            List<ParamInfo> ps = TrainableParams.of(a);
            assertEquals(4, ps.size(), ps.toString());
            for (ParamInfo p : ps) {
                assertTrue(p.name().matches("lin[01]\\.lora_[AB]\\.default\\.weight"), p.name());
                assertEquals(p.name().contains("lora_A") ? ParamRole.LORA_A : ParamRole.LORA_B, p.role());
                assertEquals(2.0, p.scaling(), 1e-12); // alpha / r
            }
            List<ParamGroup> g = OptimizerGroups.loraPlus(ps, 1e-3, 16, 0, 1e-6);
            assertEquals(List.of("lin0.lora_A.default.weight", "lin1.lora_A.default.weight"), g.get(0).paramNames());
            assertEquals(List.of("lin0.lora_B.default.weight", "lin1.lora_B.default.weight"), g.get(2).paramNames());
        }
    }

    @Test
    void onlyAdapterTensorsMoveAndCountsMatchTheAdaptedModel() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("moves")) {
            AdaptedModel a = adapted(model, 8);
            float[][] w0 = a.baseWeight("lin0");
            float[][] d0 = a.deltaWeight("lin0", "default");
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, 96, 0, 8, 3, 3.0, 1);
            TrainingReport r = Fit.fit(a, data.train(), null, FitOptions.defaults().epochs(2).batchSize(16).lr(1e-2));
            assertEquals(StopReason.COMPLETED, r.stopReason());
            assertEquals(a.trainableParameters(), r.trainableParams());
            assertArrayEquals(w0, a.baseWeight("lin0"));
            assertFalse(java.util.Arrays.deepEquals(d0, a.deltaWeight("lin0", "default")));
        }
    }

    @Test
    void loraFaThroughTheInjectorKeepsAFixed() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fa")) {
            AdaptedModel a = adapted(model, 8);
            ParamInfo aInfo = TrainableParams.of(a).get(0);
            assertEquals(ParamRole.LORA_A, aInfo.role());
            float[] a0 = aInfo.parameter().getArray().toFloatArray();
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, 64, 0, 8, 3, 3.0, 1);
            TrainingReport r = Fit.fit(a, data.train(), null, FitOptions.defaults().steps(3).batchSize(16).loraFa());
            assertArrayEquals(a0, aInfo.parameter().getArray().toFloatArray(), 0f);
            assertEquals(3 * 4 + 16 * 4, r.trainableParams()); // r*out per layer: lin0 out 16, lin1 out 3
        }
    }
}
