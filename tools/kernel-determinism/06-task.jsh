FashionTask task = FashionTask.shifted(Lab.manager());
int epochs = FastMode.enabled() ? 1 : 3;
FitOptions options = FitOptions.defaults().epochs(epochs).batchSize(32).seed(1);
System.out.println(task + ", " + epochs + " epoch(s)");

Table results = Table.create("full vs head vs LoRA",
        StringColumn.create("method"), LongColumn.create("trainable_params"), DoubleColumn.create("trainable_pct"),
        DoubleColumn.create("accuracy"), DoubleColumn.create("seconds"), DoubleColumn.create("train_state_kib"));

void record(String method, TrainingReport r) {
    results.stringColumn("method").append(method);
    results.longColumn("trainable_params").append(r.trainableParams());
    results.doubleColumn("trainable_pct").append(100.0 * r.trainableParams() / r.totalParams());
    results.doubleColumn("accuracy").append(r.finalAccuracy());
    results.doubleColumn("seconds").append(r.wallSeconds());
    // gradient + AdamW's two moments: 3 float32 values per trainable parameter
    results.doubleColumn("train_state_kib").append(3.0 * 4 * r.trainableParams() / 1024);
    System.out.printf("%-10s %s%n", method, r);
}