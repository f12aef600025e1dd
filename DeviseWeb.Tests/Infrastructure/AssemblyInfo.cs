// Test classes (and named collections) run side by side, each one test at a time. Many of them wait rather than
// compute (an app process starting, Chromium, a publish, a killed process's restart), so more run at once than there
// are cores. What must not overlap is serialised where it lives, not here: torch's process-wide random generator
// (HeadTrainer: one seeded run at a time), and each fixture's shared app or store (its collection).
[assembly: CollectionBehavior(DisableTestParallelization = false, MaxParallelThreads = 4)]
