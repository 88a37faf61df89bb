StringBuilder trace = new StringBuilder();
try (Model base = PretrainedBase.loadOrBuild()) {
    long t0 = System.nanoTime();
    var plist = new ArrayList<ai.djl.nn.Parameter>(base.getBlock().getParameters().values());
    FitOptions o = options.copy().lr(5e-4);
    o.stepHook((s, t) -> {
        StringBuilder sb = new StringBuilder().append(s);
        try (NDManager sm = NDManager.newBaseManager()) {
            for (var p : plist) { NDArray v = p.getArray().stopGradient(); v.attach(sm); NDArray q = v.sum(); q.attach(sm); sb.append(' ').append(Float.toHexString(q.getFloat())); }
            NDArray f = task.train().features().sum(); f.attach(sm); sb.append(" F ").append(Float.toHexString(f.getFloat()));
            NDArray g = task.test().features().sum(); g.attach(sm); sb.append(" T ").append(Float.toHexString(g.getFloat()));
        }
        trace.append(sb).append('\n');
    });
    TrainingReport r = Fit.fit(base, task.train(), task.test(), o);
    StringBuilder sb = new StringBuilder();
    for (double l : r.stepLosses()) sb.append(Double.toHexString(l)).append('\n');
    long pid = ProcessHandle.current().pid();
    java.nio.file.Files.writeString(java.nio.file.Path.of("" + System.getProperty("java.io.tmpdir") + "/h-losses-" + pid + ".txt"), sb.toString());
    java.nio.file.Files.writeString(java.nio.file.Path.of("" + System.getProperty("java.io.tmpdir") + "/h-trace-" + pid + ".txt"), trace.toString());
    System.out.println("acc=" + r.finalAccuracy() + " " + r.stopReason() + " pid=" + pid + " " + (System.nanoTime() - t0) / 1e9 + "s");
}
