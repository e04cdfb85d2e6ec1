/** Types for pino-roll 4 (the package ships none): a SonicBoom stream that rolls its file. */
declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events';

  /** The part of SonicBoom Calmline uses. */
  interface RollingStream extends EventEmitter {
    readonly file: string;
    write(data: string): boolean;
    flush(callback?: (error?: Error) => void): void;
    end(): void;
  }

  interface PinoRollOptions {
    file: string | (() => string);
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
    mkdir?: boolean;
    sync?: boolean;
    mode?: number;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<RollingStream>;
}
