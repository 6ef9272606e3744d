/**
 * `serialport`, loaded on first use: its native bindings and parsers cost about 35 ms of start-up, and
 * most runs (the embedded bench, every TCP bench) never open a serial port.
 */
import type { SerialPort as SerialPortClass } from 'serialport';

export type SerialPort = SerialPortClass;

/** The `SerialPort` class of the `serialport` package. */
export async function serialPortClass(): Promise<typeof SerialPortClass> {
  return (await import('serialport')).SerialPort;
}
