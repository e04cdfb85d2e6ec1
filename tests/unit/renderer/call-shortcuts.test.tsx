// @vitest-environment jsdom
/** Document-level keyboard shortcuts: A answer, H ask to hold, R resume, U hang up, F finish wrap-up, ? the sheet. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { callView, workspaceView } from './fake-calmline-api';
import { settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

const press = (key: string, init: KeyboardEventInit = {}, target: Element = document.body) =>
  fireEvent.keyDown(target, { key, ...init });

describe('call shortcuts', () => {
  it('A answers the call that has rung longest, and its Answer button says so', async () => {
    const api = await showCalls([
      callView({ id: 'new', remoteName: 'Ola Nordmann', offeredAt: 2_000 }),
      callView({ id: 'old', offeredAt: 1_000 }),
    ]);
    const answer = screen.getByRole('button', { name: 'Answer call from Erika Mustermann' });
    expect(answer.getAttribute('aria-keyshortcuts')).toBe('A');
    expect(answer.title).toBe('Answer (shortcut: A)');
    const other = screen.getByRole('button', { name: 'Answer call from Ola Nordmann' });
    expect(other.getAttribute('aria-keyshortcuts')).toBeNull();

    press('a');
    await waitFor(() => expect(api.sent).toEqual([{ command: 'answer', args: ['old'] }]));
  });

  it('H opens the hold question for the active call; nothing is sent, and focus returns to Hold', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active', answeredAt: 1 })]);
    press('H');
    const dialog = screen.getByRole('dialog', { name: 'Ask before placing Erika Mustermann on hold' });
    await settle();
    expect(api.sent).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Hold call with Erika Mustermann' }));
  });

  it('U hangs up the active call, not the one on hold', async () => {
    const api = await showCalls([
      callView({ id: 'held', state: 'held', remoteName: 'Ola Nordmann' }),
      callView({ id: 'talking', state: 'active' }),
    ]);
    const hangUp = screen.getByRole('button', { name: 'Hang up call with Erika Mustermann' });
    expect(hangUp.getAttribute('aria-keyshortcuts')).toBe('U');
    expect(hangUp.title).toBe('Hang up (shortcut: U)');
    press('u');
    await waitFor(() => expect(api.sent).toEqual([{ command: 'hangUp', args: ['talking'] }]));
  });

  it('is ignored while typing, with a modifier key, or when held down', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active' })]);
    const field = screen.getByLabelText('New call');
    field.focus();
    press('u', {}, field);
    press('u', { ctrlKey: true });
    press('u', { altKey: true });
    press('u', { metaKey: true });
    press('u', { repeat: true });
    await settle();
    expect(api.sent).toEqual([]);
  });

  it('is ignored while a dialog is open: the dialog keeps the keyboard', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active' })]);
    press('h');
    const dialog = screen.getByRole('dialog');
    press('u', {}, dialog);
    press('u');
    await settle();
    expect(api.sent).toEqual([]);
    expect(screen.getByRole('dialog')).toBe(dialog);
  });

  it('does nothing when there is no call for the key', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'held' })]);
    press('h');
    press('a');
    press('u');
    await settle();
    expect(api.sent).toEqual([]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('works on a Persian keyboard layout by the physical key', async () => {
    const api = await showCalls([callView({ id: 'c1' })], { language: 'fa' });
    press('ش', { code: 'KeyA' });
    await waitFor(() => expect(api.sent).toEqual([{ command: 'answer', args: ['c1'] }]));
  });
});

describe('more shortcuts: Resume, finishing the wrap-up, the shortcut sheet', () => {
  it('R resumes the call on hold, and its Resume button says so', async () => {
    const api = await showCalls([callView({ id: 'held', state: 'held', answeredAt: 1 })]);
    const resume = screen.getByRole('button', { name: 'Resume call with Erika Mustermann' });
    expect(resume.getAttribute('aria-keyshortcuts')).toBe('R');
    press('r');
    await waitFor(() => expect(api.sent).toEqual([{ command: 'resume', args: ['held'] }]));
  });

  it('F finishes the wrap-up, but not while typing its note; a checked radio still lets it through', async () => {
    const api = await showCalls([], {
      workspace: workspaceView({
        status: 'wrap-up',
        acceptingCalls: false,
        wrapUp: { callId: 'c1', deadline: Date.now() + 60_000, outcome: 'resolved', note: '' },
      }),
    });
    const finish = await screen.findByRole('button', { name: 'Finish wrap-up' });
    expect(finish.getAttribute('aria-keyshortcuts')).toBe('F');
    const note = screen.getByLabelText('Wrap-up note (optional)');
    note.focus();
    press('f', {}, note);
    await settle();
    expect(api.sent).toEqual([]);
    const resolved = screen.getByRole('radio', { name: 'Resolved' });
    resolved.focus();
    press('f', {}, resolved);
    await waitFor(() => expect(api.sent).toEqual([{ command: 'completeWrapUp', args: [{ outcome: 'resolved' }] }]));
  });

  it('? opens the shortcut sheet listing every key; Escape closes it and focus returns', async () => {
    await showCalls([]);
    const opener = screen.getByRole('button', { name: 'Keyboard shortcuts' });
    expect(opener.getAttribute('aria-keyshortcuts')).toBe('?');
    press('?', { shiftKey: true });
    const sheet = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect([...sheet.querySelectorAll('kbd')].map((key) => key.textContent)).toEqual(['A', 'H', 'R', 'U', 'F', '?']);
    expect(sheet.textContent).toContain('none of them works while you type');
    fireEvent.keyDown(sheet, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
    // Not while typing: a question mark in a field is a question mark.
    const field = screen.getByLabelText('New call');
    field.focus();
    press('?', { shiftKey: true }, field);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
