/**
 * Concepts shared by the planes (address ranges, rate limiting, ...): one implementation each, so that a rule
 * written in signaling and the same rule in the TURN relay mean the same thing.
 */
package dev.chorus.common;
