/** Measuring a judge against gold labels true by construction, probes included. */
package dev.consilium.rewards.calibration;
