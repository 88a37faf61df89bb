String replay(int n) {
    int mismatches = 0; String first = null; int firstAt = -1;
    try (Model base = PretrainedBase.loadOrBuild(); NDManager sm = NDManager.newBaseManager()) {
        var block = base.getBlock();
        var plist = new ArrayList<ai.djl.nn.Parameter>(block.getParameters().values());
        var store = new ai.djl.training.ParameterStore(sm, false);
        NDArray x = task.train().features().get("0:32"); NDArray y = task.train().labels().get("0:32");
        var loss = ai.djl.training.loss.Loss.softmaxCrossEntropyLoss();
        String ref = null;
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            try (NDManager s = sm.newSubManager()) {
                try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDList p = block.forward(store, new NDList(x), true);
                    NDArray l = loss.evaluate(new NDList(y), p);
                    sb.append(Float.toHexString(l.getFloat()));
                    gc.backward(l);
                }
                for (var prm : plist) { NDArray g = prm.getArray().getGradient(); g.attach(s); NDArray q = g.abs().sum(); q.attach(s); sb.append(' ').append(Float.toHexString(q.getFloat())); g.set(new ai.djl.ndarray.index.NDIndex(":"), 0f); }
            }
            String cur = sb.toString();
            if (ref == null) ref = cur; else if (!cur.equals(ref)) { mismatches++; if (firstAt < 0) { firstAt = i; first = cur; } }
        }
        return "mismatches=" + mismatches + " of " + (n - 1) + (firstAt >= 0 ? " first at " + firstAt + "\nref=" + ref + "\ncur=" + first : "");
    }
}
