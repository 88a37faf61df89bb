package org.loralab.ext.live;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.loralab.lora.search.SearchListener;
import org.loralab.lora.search.SearchProgress;
import org.loralab.lora.search.SearchResult;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.FitListener;

/**
 * A search's live progress: which bracket, rung and trial trains, its steps and loss, the best so far, and the choice
 * at the end. Register it both as the search's listener and as a fit listener of the trials' options.
 */
public final class LiveSearchView implements SearchListener, FitListener {
    private final RunsView view;

    public LiveSearchView(Display display) {
        this(display, System::nanoTime);
    }

    public LiveSearchView(Display display, LongSupplier nanoClock) {
        this.view = new RunsView(display, nanoClock);
    }

    @Override
    public void onTrialStart(SearchProgress p) {
        view.best(p.describeBest());
        view.startRun(p.describe(), p.stepsSpent(), p.plannedSteps());
    }

    @Override
    public void onBatch(BatchEvent e) {
        view.step(e.step(), String.format(Locale.ROOT, "step %d/%d loss %.4f", e.step(), e.totalSteps(), e.loss()));
    }

    @Override
    public void onEnd(SearchResult result) {
        view.finish("done: " + result);
    }

    public int updates() {
        return view.updates();
    }
}
