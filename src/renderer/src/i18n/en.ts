/**
 * English strings: the complete set every other language falls back to.
 *
 * Keys name what the agent sees, not where the string is used. Values interpolated
 * with `{{…}}` are inserted as plain text; React escapes them, never i18next.
 * `<uri>` and `<reason>` mark parts that `<Trans>` renders in a bidi-isolated
 * element; translations must keep them around the same placeholder.
 */
export const en = {
  app: {
    title: 'Calmline',
    settings: 'Settings',
    closeSettings: 'Close settings',
  },
  bridge: {
    title: 'Calmline cannot reach the phone',
    body: 'The connection to the phone service (host bridge) is missing, so calls cannot be shown or answered.',
    action: 'Restart Calmline. If this keeps happening, contact IT support.',
  },
  registration: {
    loading: 'Connecting to the phone service…',
    unconfigured: 'No SIP account set up',
    connecting: 'Connecting to the phone system…',
    registered: 'Registered as <uri>{{aor}}</uri>',
    failed: 'Registration failed: <reason>{{reason}}</reason>',
    failedNoReason: 'Registration failed',
    stopped: 'Phone stopped',
  },
  phone: {
    loadFailed: 'Could not load the phone state.',
    invalidUpdate:
      'The phone service sent an update Calmline could not read. What you see may be out of date.',
  },
  calls: {
    heading: 'Calls',
    none: 'No calls right now.',
    unknownCaller: 'Unknown caller',
    region: 'Call with {{caller}}',
    incomingAnnouncement: 'Incoming call from {{caller}}',
    state: {
      ringing: 'Ringing…',
      dialing: 'Calling…',
      active: 'In call',
      held: 'On hold',
      transferring: 'Transferring…',
      ended: 'Call ended',
    },
    answer: 'Answer',
    answerLabel: 'Answer call from {{caller}}',
    decline: 'Decline',
    declineLabel: 'Decline call from {{caller}}',
    hangUp: 'Hang up',
    hangUpLabel: 'Hang up call with {{caller}}',
  },
  recent: {
    heading: 'Recently ended',
    none: 'No calls yet.',
    endedAt: 'Ended {{time}}',
    endReason: {
      'local-hangup': 'You hung up',
      'remote-hangup': 'Caller hung up',
      declined: 'Declined',
      'caller-cancelled': 'Missed: the caller hung up before it was answered',
      transferred: 'Transferred',
      rejected: 'Not answered',
      failed: 'Call failed',
      unknown: 'Ended',
    },
  },
  errors: {
    generic: 'That did not work. Please try again.',
    'unknown-channel': 'The phone service does not know this request. Calmline may need an update.',
    'forbidden-sender': 'The phone service refused a request from this window.',
    'invalid-payload': 'The phone service refused the request because some details were not valid.',
    'call-not-found': 'This call no longer exists. It may have just ended.',
    'invalid-transition': 'The call cannot do that right now. It may have just changed.',
    'not-configured': 'No SIP account is set up. Open Settings to add one.',
    'sip-error': 'The phone system reported an error. Please try again.',
    'other-call-active': 'Another caller is on the line. Ask them, then put them on hold first.',
    'consent-required': 'Ask the caller first, and record their answer.',
    'consent-declined': 'The caller said no, so nothing was done.',
    'consent-mismatch': 'That permission was for another call or action. Ask the caller again.',
    'consent-used': 'That permission was already used. Ask the caller again.',
    'consent-expired': 'That permission is too old. Ask the caller again.',
    'no-escalation-target': 'No supervisor is set up for escalation. Add one in Settings.',
    'storage-unavailable': 'Call history and notes are not available right now.',
    'disk-full': 'The disk is full, so this was not saved. Your text is kept and saving is retried.',
    'read-only': 'The data folder is read-only, so this was not saved. Your text is kept and saving is retried.',
    'no-permission': 'Calmline may not write to its data folder. Your text is kept; please tell IT.',
    'io-error': 'Saving failed. Your text is kept and saving is retried.',
    'file-blocked': 'A damaged data file is blocking this save. Please tell IT.',
    'not-found': 'That record no longer exists.',
    'invalid-input': 'Some of the details were not valid.',
    internal: 'Something went wrong inside Calmline. Please try again.',
  },
  account: {
    heading: 'SIP account',
    loading: 'Loading the account…',
    loadFailed: 'Could not load the saved account. You can still enter it again.',
    wsUrl: 'WebSocket URL',
    wsUrlHint: 'For example wss://pbx.example.com:8089/ws',
    sipUri: 'SIP URI',
    sipUriHint: 'For example sip:1001@pbx.example.com',
    displayName: 'Display name',
    password: 'Password',
    passwordUnchanged: 'unchanged',
    passwordKeepHint: 'Leave empty to keep the saved password.',
    noPassword: 'No password (the server does not ask for one)',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Saved',
    refused: 'The settings were not saved.',
    invalid: {
      wsUrl: 'Enter a URL that starts with ws:// or wss://.',
      sipUri: 'Enter a SIP URI like sip:user@host.',
      tooLong: 'This is too long: at most {{max}} characters.',
      generic: 'This value is not valid.',
    },
  },
};

/** The shape of a complete set of strings. */
export type Messages = typeof en;

/** A translation that may leave strings out; i18next falls back to English for them. */
export type PartialMessages = {
  [K in keyof Messages]?: DeepPartial<Messages[K]>;
};

type DeepPartial<T> = T extends string ? string : { [K in keyof T]?: DeepPartial<T[K]> };
