/**
 * @module Types for the parts of the `smpp` package (0.5, plain JavaScript) that Qatra uses: the
 * client and server sessions, PDUs, the command_status codes and the GSM 03.38 coder. Only
 * src/channels/sms/providers/smpp/ imports it.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    /** A decoded PDU: the header plus the command's fields (short_message decodes to `{ udh?, message }`). */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      [field: string]: unknown;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
    }
    type PduCallback = (pdu: PDU) => void;
    type Command = (options?: Record<string, unknown>, responseCallback?: PduCallback, sendCallback?: PduCallback) => boolean;

    class Session extends EventEmitter {
      socket: Socket;
      /** False when the socket is not writable (the PDU was not sent). */
      send(pdu: PDU, responseCallback?: PduCallback, sendCallback?: PduCallback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
      bind_transceiver: Command;
      submit_sm: Command;
      deliver_sm: Command;
      enquire_link: Command;
      unbind: Command;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    function connect(options: { host: string; port: number }, listener?: () => void): Session;
    function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;

    const PDU: { new (command: string, options?: Record<string, unknown>): PDU };
    const errors: Record<string, number>;
    /** GSM 03.38 default alphabet, one septet per byte (unpacked, as SMPP carries it). */
    const gsmCoder: {
      encode(text: string, table?: number): Buffer;
      decode(bytes: Buffer, table?: number): string;
    };
  }

  export = smpp;
}
