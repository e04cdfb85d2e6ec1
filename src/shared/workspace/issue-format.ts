/**
 * Turns zod issues into one line an IT person can act on: the path into their file
 * (`steps[2].title.en`) and what is wrong there. Both the checklist loader and the
 * workspace policy report through this, so every bad file reads the same way.
 */
import type { z } from 'zod';

/** `steps[2].title.en` for ['steps', 2, 'title', 'en']; "(top level)" for []. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Every issue as `path: message`, joined with "; ". */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
}

/**
 * The `error` option of an object schema: `typeMessage` when the value is not an
 * object at all, and for unknown keys a message that names them (a typo in an IT
 * file must not look like a missing field). Other issues keep zod's message.
 */
export function objectError(
  typeMessage: string,
): (issue: { code?: string; keys?: readonly string[] }) => string | undefined {
  return (issue) => {
    if (issue.code === 'invalid_type') return typeMessage;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue.keys ?? []).map((key) => `"${key}"`).join(', ');
      return `unknown field ${keys}; check the spelling`;
    }
    return undefined;
  };
}
