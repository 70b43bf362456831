// `pnpm bench`: the benchmark issue fills this in.
console.log("no benchmarks yet");
