// Builds the transformers.js reference for the parity test of the real all-MiniLM-L6-v2: token ids (truncated at the
// model's max length) and mean-pooled, normalized vectors for >= 200 texts: long SciFact abstracts (beyond 256
// tokens), STS-B sentences, and hand-written edge cases (accents, CJK, emoji, whitespace only, mixed case, controls).
// Truncation follows Hugging Face's Python tokenizers and sentence-transformers, which cut the text and then add
// [CLS]/[SEP], so a truncated input still ends with [SEP]. transformers.js' own `truncation: true` (4.3.1) cuts the
// ids after [SEP] was added and drops it; the reference therefore tokenizes the whole text with transformers.js, keeps
// the first max_length - 1 ids and appends [SEP], and runs transformers.js' model and mean pooling on those ids.
// Usage: node reference.mjs MODELS_DIR MODEL_NAME SHARED_DIR OUT.json
//   MODELS_DIR/MODEL_NAME is a folder written by `Embeddings.Benchmarks export-packaged minilm ...`.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { env, pipeline, AutoTokenizer, Tensor, mean_pooling } from '@huggingface/transformers';

const [modelsDir, modelName, sharedDir, outFile] = process.argv.slice(2);
const version = JSON.parse(readFileSync(new URL('./node_modules/@huggingface/transformers/package.json', import.meta.url), 'utf8')).version;

const handWritten = [
  'The cat sat on the mat.',
  'A man is playing a guitar.',
  'Hello, World!',
  'naïve café résumé — ÜBER straße',
  'Crème brûlée, jalapeño, façade, Ångström, Øresund, Łódź, São Paulo, Zürich',
  'Ça va? Où est la bibliothèque? Él está aquí. Über den Wolken.',
  'ﬁnancial ﬂow ligatures and ½ fractions ① circled ² superscripts',
  'Ｆｕｌｌｗｉｄｔｈ ＡＳＣＩＩ letters',
  '東京は日本の首都です。',
  '我爱自然语言处理和机器学习。',
  '한국어 문장도 포함합니다.',
  'ภาษาไทยไม่มีช่องว่างระหว่างคำ',
  'Mixed 中文 and English 混合 text',
  'Привет, как дела?',
  'Ελληνικά γράμματα και τόνοι',
  'مرحبا بالعالم',
  'שלום עולם',
  'हिन्दी में वाक्य',
  "Don't stop-believing: it's 3.14159 & 42%!!",
  'emoji 🚀🔥 test 👍🏽',
  '👨‍👩‍👧‍👦 family ZWJ sequence and 🇫🇷 flag',
  '😀😃😄😁😆😅😂🤣',
  '   leading and trailing spaces   ',
  ' ',
  '     ',
  '\t',
  '\n\n',
  ' \t \r\n ',
  '\tTabs\tand\nnewlines\r\n',
  'zero\u200bwidth\u200cjoiners\u200d here',
  'soft\u00adhyphen and non\u00a0breaking space',
  'control\u0007bell and \u0000null char',
  'ALL CAPS SENTENCE WITH NUMBERS 1234567890',
  'MiXeD CaSe WoRdS iN A SeNtEnCe',
  'camelCaseIdentifier and snake_case_identifier and kebab-case-identifier',
  'iPhone, eBay, McDonald\'s, O\'Reilly, NASA, COVID-19, mRNA',
  'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.',
  'unaffable unbelievably antidisestablishmentarianism',
  'pneumonoultramicroscopicsilicovolcanoconiosis is a very long word indeed',
  'a'.repeat(150),
  'Side effects of metformin in elderly patients',
  'What is the capital of France?',
  'https://example.com/path?query=1&x=y#frag user@example.org',
  'C:\\Program Files\\dotnet\\dotnet.exe --version',
  'x = (a + b) * c / d - e ^ f % g; // comment',
  '{"json": [1, 2, 3], "key": null}',
  '<html><body><p>Hello</p></body></html>',
  '$100.00, €50, £20, ¥1000, ₹500',
  '10:30 AM on 2024-01-15, 3.5kg, 25°C, 100km/h',
  '... !!! ??? --- *** ###',
  '“Smart quotes” and ‘single’ and «guillemets» and „German“',
  'Em—dash, en–dash, and ellipsis…',
  'Tom & Jerry; Salt + Pepper = Seasoning',
  'A',
  '.',
  '[CLS] [SEP] [MASK] [PAD] [UNK] literal special tokens',
  'e.g. i.e. etc. vs. Dr. Mr. Mrs.',
  'The T-cell receptor (TCR) binds MHC class II molecules via CD4+ co-receptors.',
  'IL-6, TNF-α and IFN-γ levels were elevated (p < 0.001).',
  'β-amyloid plaques and τ-protein tangles in Alzheimer’s disease',
];

const sts = readFileSync(`${sharedDir}/data/stsbenchmark/sts-test.csv`, 'utf8').split('\n')
  .filter((l) => l.length > 0).map((l) => l.split('\t')[5]).slice(0, 40);

const scifact = readFileSync(`${sharedDir}/data/scifact/corpus.jsonl`, 'utf8').split('\n')
  .filter((l) => l.trim().length > 0).map((l) => JSON.parse(l))
  .map((d) => (d.title ? `${d.title} ${d.text}` : d.text));
// Long abstracts first (they get truncated at 256 tokens), in corpus order; then some shorter ones.
const longDocs = scifact.filter((t) => t.length > 2000).slice(0, 90);
const shortDocs = scifact.filter((t) => t.length <= 2000).slice(0, 30);

const texts = [...handWritten, ...sts, ...longDocs, ...shortDocs];

env.localModelPath = modelsDir;
env.allowRemoteModels = false;
const tokenizer = await AutoTokenizer.from_pretrained(modelName);
const extractor = await pipeline('feature-extraction', modelName, {
  dtype: 'fp32',
  device: 'cpu',
  session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
});

const round = (x) => Math.round(x * 1e7) / 1e7;
const entries = [];
let truncated = 0;
const maxLength = tokenizer.model_max_length;
const sepId = tokenizer.sep_token_id;
for (const text of texts) {
  const whole = tokenizer(text, { truncation: false });
  const all = Array.from(whole.input_ids.data, Number);
  const full = all.length;
  const ids = full > maxLength ? [...all.slice(0, maxLength - 1), sepId] : all;
  if (full > maxLength) truncated++;
  const n = ids.length;
  const inputs = {
    input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
    attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    token_type_ids: new Tensor('int64', new BigInt64Array(n), [1, n]),
  };
  const outputs = await extractor.model(inputs);
  const pooled = mean_pooling(outputs.last_hidden_state, inputs.attention_mask).normalize(2, -1);
  entries.push({ text, input_ids: ids, full_length: full, embedding: Array.from(pooled.data, round) });
}

const reference = {
  producer: `transformers.js ${version} (tokenizer without truncation, then ids[:max_length-1] + [SEP]; model fp32 cpu; mean_pooling; normalize)`,
  model: modelName,
  max_length: maxLength,
  truncated,
  entries,
};
writeFileSync(`${outFile}.tmp`, JSON.stringify(reference));
renameSync(`${outFile}.tmp`, outFile);
console.log(`${entries.length} texts (${truncated} truncated at ${tokenizer.model_max_length} tokens) -> ${outFile}`);
