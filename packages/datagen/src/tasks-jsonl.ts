// Tasks as JSONL: one proto3-canonical-JSON Task per line.
import { messageFromJson, messageToJson } from '@datarus/contracts';
import type { Task } from '@datarus/contracts';

export function taskToJsonLine(task: Task): string {
  return messageToJson('datarus.v1.Task', task);
}

export function taskFromJsonLine(line: string): Task {
  return messageFromJson('datarus.v1.Task', line);
}

/** Parses a whole JSONL document; blank lines are skipped. */
export function parseTasksJsonl(text: string): Task[] {
  return text.split('\n').filter((l) => l.trim() !== '').map(taskFromJsonLine);
}
