// A tiny random Llama-shaped model with SmolLM2's real tokenizer and chat template,
// written as a Hugging Face directory: config.json, model.safetensors (f32, seeded
// random weights) and the tokenizer files converted from the GGUF that setup
// downloads. Cross-process tests train it: every process loads it in milliseconds
// and generation is fast, while prompts, chat templates and tags are the real ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer, toTokenizerConfigJson, toTokenizerJson } from '@datarus/tokenizer';

export const SMOLLM2_GGUF = fileURLToPath(new URL('../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));

export interface TinyModelShape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  maxPositions: number;
}

const DEFAULT_SHAPE: TinyModelShape = { hidden: 64, intermediate: 128, layers: 2, heads: 4, kvHeads: 2, maxPositions: 2048 };

/** mulberry32: a small seeded generator; normal values by Box–Muller. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

function safetensors(tensors: { name: string; shape: number[]; data: Float32Array }[]): Buffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
}

/** Writes the model to `dir` and returns `dir`. */
export async function makeTinyModel(dir: string, seed = 1, shape: Partial<TinyModelShape> = {}): Promise<string> {
  const s = { ...DEFAULT_SHAPE, ...shape };
  const tok = await loadTokenizer(SMOLLM2_GGUF);
  const V = tok.vocabSize;
  const D = s.hidden / s.heads;
  const randn = gaussian(seed);
  const param = (name: string, dims: number[], scale: number, base = 0) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = base + scale * randn();
    return { name, shape: dims, data };
  };
  const tensors = [param('model.embed_tokens.weight', [V, s.hidden], 0.5), param('model.norm.weight', [s.hidden], 0, 1)];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(
      param(`${p}input_layernorm.weight`, [s.hidden], 0, 1),
      param(`${p}post_attention_layernorm.weight`, [s.hidden], 0, 1),
      param(`${p}self_attn.q_proj.weight`, [s.heads * D, s.hidden], 0.1),
      param(`${p}self_attn.k_proj.weight`, [s.kvHeads * D, s.hidden], 0.1),
      param(`${p}self_attn.v_proj.weight`, [s.kvHeads * D, s.hidden], 0.1),
      param(`${p}self_attn.o_proj.weight`, [s.hidden, s.heads * D], 0.1),
      param(`${p}mlp.gate_proj.weight`, [s.intermediate, s.hidden], 0.1),
      param(`${p}mlp.up_proj.weight`, [s.intermediate, s.hidden], 0.1),
      param(`${p}mlp.down_proj.weight`, [s.hidden, s.intermediate], 0.1),
    );
  }
  mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: V,
    hidden_size: s.hidden,
    intermediate_size: s.intermediate,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    max_position_embeddings: s.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    bos_token_id: tok.spec.bosId ?? 1,
    eos_token_id: tok.spec.eosId ?? 2,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'model.safetensors'), safetensors(tensors));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(toTokenizerJson(tok.spec)));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfigJson(tok.spec, s.maxPositions), null, 2));
  return dir;
}
