// transformers.js side of the ONNX comparison: feature-extraction (mean pooling, normalize) over the same
// sentences, the same model file and the same intra-op thread count as the .NET harness.
// Usage: node transformersjs.mjs MODELS_DIR MODEL_NAME SENTENCES.txt THREADS BATCH REPETITIONS
import { readFileSync } from 'node:fs';
import { env, pipeline } from '@huggingface/transformers';

const [modelsDir, modelName, sentencesFile, threadsArg, batchArg, repsArg] = process.argv.slice(2);
const threads = Number(threadsArg), batch = Number(batchArg), reps = Number(repsArg);
const sentences = readFileSync(sentencesFile, 'utf8').split('\n').filter((s) => s.length > 0);

env.localModelPath = modelsDir;
env.allowRemoteModels = false;
const extractor = await pipeline('feature-extraction', modelName, {
  dtype: 'fp32',
  device: 'cpu',
  session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
});

async function embedAll(texts) {
  let dims = 0;
  for (let i = 0; i < texts.length; i += batch) {
    const out = await extractor(texts.slice(i, i + batch), { pooling: 'mean', normalize: true });
    dims = out.dims[1];
    out.dispose?.();
  }
  return dims;
}

// Warm-up on a prefix, as the .NET harnesses do.
await embedAll(sentences.slice(0, 4 * batch));
const seconds = [];
for (let r = 0; r < reps; r++) {
  const start = process.hrtime.bigint();
  await embedAll(sentences);
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
const max_rss_mb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ side: 'transformers.js', sentences: sentences.length, threads, batch, seconds, max_rss_mb }));
