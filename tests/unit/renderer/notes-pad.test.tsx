// @vitest-environment jsdom
/** The notes pad (P7, H1 in docs/practice.md): autosaved by main, "Saved" only once main says so, read-back. */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { callView } from './fake-calmline-api';
import { settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

const active = () => callView({ id: 'c1', state: 'active', answeredAt: 1 });

describe('NotesPad', () => {
  it('sends every change to main, with no Save button', async () => {
    const api = await showCalls([active()]);
    const pad = screen.getByRole('textbox', { name: 'Notes on the call with Erika Mustermann' });
    fireEvent.change(pad, { target: { value: 'Invoice' } });
    fireEvent.change(pad, { target: { value: 'Invoice 4711' } });
    await waitFor(() =>
      expect(api.sent.filter((entry) => entry.command === 'editNote')).toEqual([
        { command: 'editNote', args: ['c1', 'Invoice'] },
        { command: 'editNote', args: ['c1', 'Invoice 4711'] },
      ]),
    );
    expect(screen.queryByRole('button', { name: /save/i })).toBeNull();
  });

  it('says "Saving…" until main reports the note on disk, then "Saved" with the time, in a polite live region', async () => {
    const api = await showCalls([active()]);
    const status = screen.getByTestId('notes-status');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toBe('');
    fireEvent.change(screen.getByRole('textbox', { name: /^Notes on the call/ }), { target: { value: 'Refund' } });
    expect(status.textContent).toBe('Saving…');
    await settle();
    // Main's answer to the edit ("unsaved") is not "saved".
    expect(status.textContent).toBe('Saving…');
    act(() => api.pushNoteStatus({ callId: 'c1', state: 'saving' }));
    expect(status.textContent).toBe('Saving…');
    // Another call's status is not this pad's.
    act(() => api.pushNoteStatus({ callId: 'other', state: 'saved', savedAt: new Date(2025, 0, 6, 9, 0).getTime() }));
    expect(status.textContent).toBe('Saving…');
    act(() => api.pushNoteStatus({ callId: 'c1', state: 'saved', savedAt: new Date(2025, 0, 6, 14, 2).getTime() }));
    expect(status.textContent).toBe('Saved 14:02');
  });

  it('keeps saying "Saving…" when a "saved" arrives while a newer edit is still on its way', async () => {
    const api = await showCalls([active()]);
    const release = api.deferNext('editNote');
    fireEvent.change(screen.getByRole('textbox', { name: /^Notes on the call/ }), { target: { value: 'a' } });
    act(() => api.pushNoteStatus({ callId: 'c1', state: 'saved', savedAt: 1 }));
    expect(screen.getByTestId('notes-status').textContent).toBe('Saving…');
    release();
    await settle();
  });

  it('says why a save failed, translated, and keeps the text', async () => {
    const api = await showCalls([active()]);
    const pad = screen.getByRole('textbox', { name: /^Notes on the call/ });
    fireEvent.change(pad, { target: { value: 'Keep me' } });
    act(() =>
      api.pushNoteStatus({ callId: 'c1', state: 'error', error: { code: 'disk-full', message: 'ENOSPC' }, retryAt: 5 }),
    );
    expect(screen.getByTestId('notes-status').textContent).toBe(
      'Not saved: The disk is full, so this was not saved. Your text is kept and saving is retried.',
    );
    expect((pad as HTMLTextAreaElement).value).toBe('Keep me');
  });

  it('shows a refused edit as an error', async () => {
    const api = await showCalls([active()]);
    api.refuseNext('editNote', 'storage-unavailable');
    fireEvent.change(screen.getByRole('textbox', { name: /^Notes on the call/ }), { target: { value: 'x' } });
    await waitFor(() =>
      expect(screen.getByTestId('notes-status').textContent).toBe(
        'Not saved: Call history and notes are not available right now.',
      ),
    );
  });

  it('reads the note back as a summary to repeat to the caller', async () => {
    await showCalls([active()]);
    fireEvent.change(screen.getByRole('textbox', { name: /^Notes on the call/ }), {
      target: { value: 'Charged twice for invoice 4711\n\nWants a refund by Friday' },
    });
    const toggle = screen.getByRole('button', { name: 'Read the notes back to Erika Mustermann' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const summary = screen.getByTestId('read-back');
    expect([...summary.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'Charged twice for invoice 4711',
      'Wants a refund by Friday',
    ]);
    expect(summary.textContent).toContain('Let me make sure I have understood you correctly');
    fireEvent.click(toggle);
    expect(screen.queryByTestId('read-back')).toBeNull();
  });

  it('is not shown for a call that only rings', async () => {
    await showCalls([callView({ id: 'c1' })]);
    expect(screen.queryByTestId('notes-pad')).toBeNull();
  });
});
