package dev.chorus.signaling.store;

import dev.chorus.signaling.project.Project;
import java.util.List;
import java.util.Optional;

/** Projects (tenants): their settings and limits. */
public interface ProjectRepository {

    /** @throws StoreException.Conflict if a project with this id exists */
    void createProject(Project project);

    Optional<Project> project(String projectId);

    List<Project> projects();

    /** @throws StoreException.NotFound if there is no such project */
    void updateProject(Project project);

    /**
     * Deletes the project and everything that belongs to it (keys, rooms, revocations, ACL entries, overrides,
     * access policy, webhook endpoints and their queues) in one transaction.
     *
     * @throws StoreException.NotFound if there is no such project
     */
    void deleteProject(String projectId);
}
