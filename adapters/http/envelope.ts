import type { Response } from 'express';
import type { HttpError } from './error-mapper.js';

export const requestIdOf = (res: Response): string => String(res.locals['requestId'] ?? '');

export const sendData = (res: Response, status: number, data: unknown): void => {
  if (status === 204) {
    res.status(204).end();
    return;
  }
  res.status(status).json({ code: status, message: 'success', data });
};

export const sendError = (res: Response, error: HttpError): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(error.status).json({
    code: error.status,
    error: error.code,
    message: error.message,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    request_id: requestIdOf(res),
  });
};
