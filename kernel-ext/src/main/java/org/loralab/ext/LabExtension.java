package org.loralab.ext;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.magic.CellMagic;
import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.knowm.xchart.internal.chartpart.Chart;
import org.loralab.ext.magic.LabMagics;
import org.loralab.ext.magic.MagicCall;
import org.loralab.ext.magic.ModelMagics;
import org.loralab.ext.render.AdaptedModelHtml;
import org.loralab.ext.render.ChartImages;
import org.loralab.ext.render.ReportHtml;
import org.loralab.ext.render.TableHtml;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.Table;

/**
 * LoRA Lab's JJava extension: the magics and the renderers. Found through
 * {@code META-INF/services/org.dflib.jjava.jupyter.Extension}; uses only the jjava-jupyter calls that link the same in
 * 1.0-a6 and 1.0-a7 (Renderer registrations, MagicsRegistry, BaseNotebookStatics), so it loads in our kernel and in a
 * stock JJava kernel.
 */
public final class LabExtension implements Extension {

    @Override
    public void install(BaseKernel kernel) {
        // DJL's stdout progress bar would leave every redraw in the saved notebook; the live view replaces it
        System.setProperty("disableProgressBar", "true");
        // before any cell starts the engine: one PyTorch thread unless the user chose more (see EngineThreads)
        EngineThreads.configure();
        registerMagics(kernel.getMagicsRegistry());
        registerRenderers(kernel.getRenderer());
    }

    public static void registerMagics(MagicsRegistry magics) {
        magics.registerLineMagic("lora", line("%lora", LabMagics::lora));
        magics.registerLineMagic("device", line("%device", LabMagics::device));
        magics.registerLineMagic("spectrum", line("%spectrum", LabMagics::spectrum));
        magics.registerLineMagic("sweep", line("%sweep", LabMagics::sweep));
        magics.registerLineMagic("search", line("%search", LabMagics::search));
        magics.registerLineMagic("lab", line("%lab", LabMagics::lab));
        magics.registerCellMagic("train", (CellMagic<Object, BaseKernel>) (k, args, body) ->
                MagicCall.run("%%train", () -> LabMagics.train(args, body)));
        magics.registerLineMagic("model", line("%model", ModelMagics::model));
        magics.registerLineMagic("generate", line("%generate", ModelMagics::generate));
        magics.registerCellMagic("generate", (CellMagic<Object, BaseKernel>) (k, args, body) ->
                MagicCall.run("%%generate", () -> ModelMagics.generateCell(args, body)));
    }

    /** A line magic's body. */
    interface LineBody {
        Object call(java.util.List<String> args) throws Exception;
    }

    private static LineMagic<Object, BaseKernel> line(String name, LineBody body) {
        return (k, args) -> MagicCall.run(name, () -> body.call(args));
    }

    public static void registerRenderers(Renderer renderer) {
        renderer.createRegistration(Table.class).preferring(MIMEType.TEXT_HTML)
                .register((t, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> TableHtml.render(t)));
        renderer.createRegistration(AdaptedModel.class).preferring(MIMEType.TEXT_HTML)
                .register((m, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> AdaptedModelHtml.render(m)));
        renderer.createRegistration(TrainingReport.class).preferring(MIMEType.TEXT_HTML)
                .register((r, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> ReportHtml.render(r)));
        @SuppressWarnings({"rawtypes", "unchecked"})
        Renderer.RenderRegistration<Chart> charts = renderer.createRegistration(Chart.class);
        charts.preferring(MIMEType.IMAGE_PNG).supporting(MIMEType.IMAGE_SVG).register((c, ctx) -> {
            ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> ChartImages.pngBase64(c));
            ctx.renderIfRequested(MIMEType.IMAGE_SVG, () -> ChartImages.svg(c));
        });
    }
}
