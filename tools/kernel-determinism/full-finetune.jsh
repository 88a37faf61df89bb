try (Model base = PretrainedBase.loadOrBuild()) {
    long t0 = System.nanoTime();
    TrainingReport r = Fit.fit(base, task.train(), task.test(), options.copy().lr(5e-4));
    StringBuilder sb = new StringBuilder();
    for (double l : r.stepLosses()) sb.append(Double.toHexString(l)).append('\n');
    java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv().getOrDefault("OUTF", "" + System.getProperty("java.io.tmpdir") + "/losses-" + ProcessHandle.current().pid() + ".txt")), sb.toString());
    System.out.println("acc=" + r.finalAccuracy() + " " + r.stopReason() + " " + Thread.currentThread().getName() + " " + (System.nanoTime() - t0) / 1e9 + "s");
}
