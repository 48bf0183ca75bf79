import { randomUUID } from 'crypto';

/**
 * Generate a valid session configuration
 * @param {Object} options - Configuration options
 * @returns {Object} - Session config for POST /v1/sessions
 */
export function generateSession(options = {}) {
  const {
    participantCount = 2,
    timePerParticipantMs = 60000, // 1 minute
    syncMode = 'per_participant',
    incrementMs = 0,
  } = options;

  const sessionId = randomUUID();
  const participants = [];

  for (let i = 0; i < participantCount; i++) {
    participants.push({
      participant_id: randomUUID(),
      participant_index: i,
      total_time_ms: timePerParticipantMs,
    });
  }

  return {
    session_id: sessionId,
    sync_mode: syncMode,
    participants,
    time_per_cycle_ms: timePerParticipantMs,
    increment_ms: incrementMs,
    auto_advance: true,
    metadata: {
      test: 'load-test',
      timestamp: Date.now(),
    },
  };
}

/**
 * Generate batch of sessions
 * @param {number} count - Number of sessions to generate
 * @param {Object} options - Session options
 * @returns {Array} - Array of session configs
 */
export function generateSessionBatch(count, options = {}) {
  const sessions = [];
  for (let i = 0; i < count; i++) {
    sessions.push(generateSession(options));
  }
  return sessions;
}

/**
 * Generate random participant ID from session
 * @param {Object} session - Session object
 * @returns {string} - Random participant ID
 */
export function getRandomParticipantId(session) {
  const participants = session.participants || [];
  if (participants.length === 0) return null;
  const randomIndex = Math.floor(Math.random() * participants.length);
  return participants[randomIndex].participant_id;
}
