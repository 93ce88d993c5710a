// Reading a file of tasks for a command: one (possibly pretty-printed) JSON Task,
// or JSONL. A missing or unreadable file and a malformed one are errors with their
// own codes, named by the command-line flag that gave the path.
import { readFile } from 'node:fs/promises';
import { DatarusError, ErrorCode, type Task } from '@datarus/contracts';
import { parseTasksJsonl, taskFromJsonLine } from './tasks-jsonl.js';

/** Parses one JSON Task or a JSONL document of them. */
export function parseTasksText(text: string): Task[] {
  try {
    return [taskFromJsonLine(text.trim())];
  } catch {
    return parseTasksJsonl(text);
  }
}

/** The text of the file a command-line flag names; errors: E_FILE_NOT_FOUND, E_FILE_IO. */
export async function readFlagFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCode.FileNotFound : ErrorCode.FileIo;
    throw new DatarusError(code, `--${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The tasks of `path`; errors as readFlagFile's, and E_BAD_TASK (each message starts with --flag). */
export async function readTasksFile(path: string, flag: string): Promise<Task[]> {
  const text = await readFlagFile(path, flag);
  try {
    return parseTasksText(text);
  } catch (e) {
    throw new DatarusError(ErrorCode.BadTask, `--${flag}: ${(e as Error).message}`);
  }
}
