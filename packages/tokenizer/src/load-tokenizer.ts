// Loads a tokenizer from a model path: a .gguf file (tokenizer from its metadata)
// or a Hugging Face model directory (tokenizer.json, plus tokenizer_config.json and
// chat_template.jinja when present for the chat template and BOS/EOS tokens).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { TokenizerConfigJson } from './from-tokenizer-json.js';
import { readGgufMetadata } from './gguf/read-gguf-metadata.js';
import { Tokenizer } from './tokenizer.js';

export async function loadTokenizer(modelPath: string): Promise<Tokenizer> {
  const st = await stat(modelPath).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new DatarusError(ErrorCode.FileNotFound, `${modelPath}: no such file or directory`, { cause: e });
    throw new DatarusError(ErrorCode.FileIo, `${modelPath}: cannot stat (${e.code})`, { cause: e });
  });
  if (st.isFile()) {
    if (!modelPath.toLowerCase().endsWith('.gguf')) {
      throw new DatarusError(ErrorCode.BadTokenizer, `${modelPath}: expected a .gguf file or a directory holding tokenizer.json`);
    }
    return Tokenizer.fromGguf(await readGgufMetadata(modelPath));
  }
  if (!st.isDirectory()) {
    throw new DatarusError(ErrorCode.BadTokenizer, `${modelPath}: neither a file nor a directory`);
  }
  const json = await readJson(join(modelPath, 'tokenizer.json'), true);
  const config = ((await readJson(join(modelPath, 'tokenizer_config.json'), false)) ?? {}) as TokenizerConfigJson;
  const jinja = await readText(join(modelPath, 'chat_template.jinja'));
  if (jinja !== undefined) config.chat_template = jinja;
  return Tokenizer.fromTokenizerJson(json, config);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DatarusError(ErrorCode.FileIo, `${path}: cannot read`, { cause: e });
  }
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  const text = await readText(path);
  if (text === undefined) {
    if (required) throw new DatarusError(ErrorCode.FileNotFound, `${path}: missing (a model directory needs tokenizer.json)`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DatarusError(ErrorCode.BadTokenizer, `${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}
