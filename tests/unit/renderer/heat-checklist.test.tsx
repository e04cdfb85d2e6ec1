// @vitest-environment jsdom
/** The HEAT checklist (H1–H4 in docs/practice.md) of the active call, from the workspace state main pushes. */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { dateInputValue, endOfDateInput } from '../../../src/renderer/src/workspace-format';
import { callView, heatRun, workspaceView } from './fake-calmline-api';
import { settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

const active = () => callView({ id: 'c1', state: 'active', answeredAt: 1 });
const inCall = () => workspaceView({ status: 'in-call', acceptingCalls: true, checklists: { c1: heatRun('c1') } });

describe('HeatChecklist', () => {
  it('lists the steps as labelled checkboxes with their guidance, and toggles them', async () => {
    const api = await showCalls([active()], { workspace: inCall() });
    const list = await screen.findByTestId('checklist');
    expect(within(list).getByRole('heading', { name: 'HEAT (complaints)' })).toBeTruthy();
    const boxes = within(list).getAllByRole('checkbox');
    expect(boxes.map((box) => (box as HTMLInputElement).labels?.[0]?.textContent ?? '')).toEqual([
      'Hear them out',
      'Empathize',
      'Apologize',
      'Take action',
    ]);
    const hear = within(list).getByRole('checkbox', { name: 'Hear them out' });
    expect(hear.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(hear.getAttribute('aria-describedby')!)?.textContent).toContain(
      'Let the caller vent fully',
    );
    expect(within(list).getByTestId('checklist-progress').textContent).toBe('0 of 4 done');

    // A native checkbox: Space (as a click) toggles it.
    fireEvent.click(hear);
    expect((hear as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'setChecklistStep', args: ['c1', 'hear', true] }));
    await waitFor(() => expect(within(list).getByTestId('checklist-progress').textContent).toBe('1 of 4 done'));
    fireEvent.click(hear);
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'setChecklistStep', args: ['c1', 'hear', false] }));
  });

  it("shows the steps in the agent's language", async () => {
    await showCalls([active()], { workspace: inCall(), language: 'fa' });
    const list = await screen.findByTestId('checklist');
    expect(within(list).getByRole('checkbox', { name: 'همدلی کنید' })).toBeTruthy();
  });

  it('shows a refused step change, translated, and the box goes back to what main holds', async () => {
    const api = await showCalls([active()], { workspace: inCall() });
    const hear = await screen.findByRole('checkbox', { name: 'Hear them out' });
    api.refuseNext('setChecklistStep', 'unknown-step');
    fireEvent.click(hear);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'That checklist step no longer exists. The checklist may have changed.',
    );
    expect((hear as HTMLInputElement).checked).toBe(false);
  });

  it('records the commitment: a status update by a date, as the end of that day', async () => {
    const api = await showCalls([active()], { workspace: inCall() });
    const form = await screen.findByTestId('commitment');
    fireEvent.click(within(form).getByRole('radio', { name: /A status update by a date/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Record the promise' }));
    // No date yet: nothing is sent.
    expect(within(form).getByText('Choose a date.')).toBeTruthy();
    const tomorrow = dateInputValue(Date.now() + 86_400_000);
    fireEvent.change(within(form).getByLabelText('Date'), { target: { value: tomorrow } });
    fireEvent.change(within(form).getByLabelText('What was promised (optional)'), {
      target: { value: 'Check the refund' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the promise' }));
    await waitFor(() =>
      expect(api.sent).toContainEqual({
        command: 'recordCommitment',
        args: ['c1', { kind: 'status-update', due: endOfDateInput(tomorrow), text: 'Check the refund' }],
      }),
    );
    expect((await screen.findByTestId('commitment-recorded')).textContent).toMatch(/^Promised: a status update by /);
    expect((screen.getByRole('checkbox', { name: 'Take action' }) as HTMLInputElement).checked).toBe(true);
  });

  it("shows main's refusal of a date in the past in the agent's words", async () => {
    const api = await showCalls([active()], { workspace: inCall() });
    const form = await screen.findByTestId('commitment');
    api.refuseNext('recordCommitment', 'commitment-in-past');
    fireEvent.change(within(form).getByLabelText('Date'), {
      target: { value: dateInputValue(Date.now() + 2 * 86_400_000) },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the promise' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'That time has already passed. Choose one in the future.',
    );
  });

  it('follows the run main pushes', async () => {
    const api = await showCalls([active()], { workspace: inCall() });
    await screen.findByTestId('checklist');
    const run = heatRun('c1');
    run.steps[1] = { stepId: 'empathize', checkedAt: 5 };
    act(() => api.pushWorkspace(workspaceView({ status: 'in-call', checklists: { c1: run } })));
    expect((screen.getByRole('checkbox', { name: 'Empathize' }) as HTMLInputElement).checked).toBe(true);
    await settle();
  });
});

describe('endOfDateInput', () => {
  it('reads a date field as the end of that local day, and refuses nonsense', () => {
    expect(endOfDateInput('2025-01-09')).toBe(new Date(2025, 0, 9, 23, 59).getTime());
    expect(endOfDateInput('2025-02-31')).toBeNull();
    expect(endOfDateInput('')).toBeNull();
    expect(dateInputValue(new Date(2025, 0, 9, 8).getTime())).toBe('2025-01-09');
  });
});
